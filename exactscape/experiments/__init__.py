"""Part 2's experiments (docs/theory.md section 5) and float-vs-exact
comparisons. With :mod:`exactscape.floats`, this package is the only place
that imports NumPy or SciPy or makes a float; every verdict reported as exact
comes from the exact core (:mod:`exactscape.api`, :mod:`exactscape.theory`)."""
