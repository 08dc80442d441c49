"""The paper's theorems as exact decision procedures (SPEC sections 2-4)."""
