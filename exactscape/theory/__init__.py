"""The paper's theorems as exact decision procedures (theory.md §2-4)."""
