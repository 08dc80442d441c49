"""Independent checker for exactscape certificates (proofs/FORMAT.md, version 1).

Standard library only, and independent of the producer: nothing here imports
another part of exactscape. The modules follow FORMAT.md section by section:
``numbers`` (1), ``envelope`` (3), ``cell`` (4), ``point`` (5, with ``poly``
for the curves of 5.3), ``protocol`` (6), and, new in 1.1, ``saddle`` (7),
``boundary`` (8 and the point verdicts of 5.4) with ``branchtree`` (their
trees of Motzkin leaves), and, new in 1.2, ``census`` and ``infimum`` (10),
``path`` (11, with ``sturm`` for the signs of polynomials on intervals) and
``spurious`` (12); ``fields`` and ``linalg`` are the structure and exact
linear-algebra helpers they share; ``readfile`` reads a certificate file
(regular files only, a size cap, UTF-8 without BOM: sections 2 and 6).

Public API: :func:`check_certificate`, :func:`check_file`, :func:`main`,
:class:`CheckResult`.
"""

from .protocol import CheckResult, check_certificate, check_file, main

__all__ = ["CheckResult", "check_certificate", "check_file", "main"]
