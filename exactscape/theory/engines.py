"""The genuineness searches of a cell, by name (``exactscape cell --engine``).

* ``plain``: the branch tree over R-space nodes (format 1.0 evidence);
* ``fast``: the minimiser set from integer matrices and the structured search of
  :mod:`exactscape.theory.genuine` (format 1.2 evidence);
* ``auto``: ``fast`` from :data:`SMALL_CELL` entries of the design matrix A (N x Kd) on, else ``plain``.

No imports: the CLI reads the names at start-up, before any exact backend loads.
"""

ENGINES = ("auto", "fast", "plain")
SMALL_CELL = 4000
