"""The exact core: numbers, the model, linear algebra, polyhedra, minimiser sets, curves."""
