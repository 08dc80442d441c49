"""Part 2 experiments and float-vs-exact comparisons. The float side
lives here and in :mod:`exactscape.floats.lp`; every verdict reported as exact
comes from :mod:`exactscape.theory.minima`."""
