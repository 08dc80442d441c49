"""Independent checker for exactscape certificates (proofs/FORMAT.md, version 1.x).

Standard library only, and independent of the producer: nothing here imports
another part of exactscape. The modules follow FORMAT.md section by section;
each check function's docstring names the numbered check it implements (for
example ``FORMAT 4.2 (3)``). The same table is in FORMAT.md ("Where the
checker implements each section"); a test keeps the two equal.

====== ==================================================================
section modules
====== ==================================================================
1       ``numbers``
2       ``readfile`` ``fields``
3       ``envelope`` ``fields``
4       ``cell`` ``linalg`` ``cones`` ``branchtree`` ``quadratic`` ``implied``
5       ``point`` ``curves`` ``poly`` ``hyperplane`` ``local`` ``faces``
6       ``protocol`` ``errors`` ``readfile``
7       ``saddle`` ``linalg`` ``cones`` ``branchtree`` ``curves``
8       ``boundary`` ``hyperplane`` ``linalg`` ``cones`` ``branchtree``
9       ``region`` ``hyperplane``
10      ``census`` ``infimum`` ``bundle`` ``cones``
11      ``path`` ``sturm`` ``point``
12      ``spurious`` ``cones`` ``point``
13      ``branchset`` ``cell`` ``branchtree`` ``cones``
====== ==================================================================

Sections: 1 numbers; 2 input files (regular files, size cap, UTF-8) and
patterns; 3 the envelope and versions; 4 kind ``cell``; 5 kind ``point``
(5.1-5.2 ``point``, 5.3 curves, 5.4 points on one hyperplane, 5.5 points
anywhere on the hyperplanes, ``local``; 5.6 kind ``faces``, ``faces``); 6 the
protocol; 7 ``saddle``; 8 ``boundary`` (with Lemmas A, B, C); 9 ``region``;
10 ``census`` (10.1-10.2), ``infimum`` (10.3) and bundles (10.4); 11
``path`` (11.3: signs of polynomials, ``sturm``); 12 ``spurious``; 13
``branches`` (genuineness over a given set of branch vectors).
Support modules: ``linalg`` (products with A, the one rank-evidence checker,
ranks, modular determinants), ``cones`` (a weight strictly inside its open
cell; Gordan/Farkas emptiness of an open cone), ``branchtree`` (trees of
Farkas leaves), ``implied`` (leaves whose fit multipliers the null space
implies, new in 1.4), ``fields`` (JSON structure, patterns, claim comparison),
``poly`` (polynomials in t), ``errors`` (the two failure kinds).

Public API: :func:`check_certificate`, :func:`check_file`, :func:`main`,
:class:`CheckResult`.
"""

from .protocol import CheckResult, check_certificate, check_file, main

__all__ = ["CheckResult", "check_certificate", "check_file", "main"]
