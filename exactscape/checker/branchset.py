"""Kind ``branches`` (FORMAT.md 13, new in 1.3): genuineness over a given set of
branch vectors.

The minimiser set of the cell is checked exactly as for kind ``cell`` (FORMAT.md
4.2 checks 1-4: pattern, feasibility, rank, minimiser, giving the fitted values
p = A R0). The claim names a set S of branch vectors sigma in {+, -, 0}^K
(for example the single vector (+, ..., +): every z_j > 0, Part 2's reading)
and says whether some minimiser of the cell is genuine with its branch vector
in S:

* yes: a witness (z, w), checked as in 4.2 check 5 (R_j = z_j w_j solves the
  normal equations, every w_j strictly inside C_j), whose branch vector
  (the signs of z) is in S;
* no: one Farkas leaf per sigma in S, in the order of S, each checked as a
  leaf of 4.2 check 5 with every neuron fixed at sigma_j (variables R_j for
  sigma_j != 0, fit rows A R = p, sign rows s_ji x_i . R_j > 0 for every
  neuron on + or -): no minimiser R has a genuine point with branch vector
  sigma (a genuine point would solve that system);
* an empty cell (a Farkas certificate, check 2): no point at all, so no.
"""

from .branchtree import check_leaf
from .cell import BRANCHES, ROOT_FIELDS, check_genuine_witness, check_minimiser_set
from .envelope import require_1_3
from .errors import CertificateError
from .fields import array, at, compare, item, record
from .numbers import boolean, describe, rational

CLAIM_FIELDS = ("feasible", "loss", "branch_vectors", "genuine", "branches")


def _branch_vectors(value: object, path: str, k: int) -> list[list[str]]:
    """A non-empty list of distinct branch vectors, each K symbols "+", "-" or "0"."""
    out: list[list[str]] = []
    for pos, entry in enumerate(array(value, path, min_length=1)):
        e_path = item(path, pos)
        sigma = []
        for n, sym in enumerate(array(entry, e_path, k)):
            if not isinstance(sym, str) or sym not in BRANCHES:
                raise CertificateError(item(e_path, n), f'expected "+", "-" or "0", found {describe(sym)}')
            sigma.append(sym)
        if sigma in out:
            raise CertificateError(e_path, "repeats an earlier branch vector")
        out.append(sigma)
    return out


def check_branch_set(cert: dict[str, object], log: list[str]) -> None:
    """Run the checks of FORMAT.md 13.2 in order, appending ``c`` lines to ``log``."""
    require_1_3(cert, "kind 'branches'", "kind")
    record(cert, "", ROOT_FIELDS, ("genuineness",))
    claim = record(cert["claim"], "claim", CLAIM_FIELDS)
    ms = check_minimiser_set(cert, log)
    compare("claim.feasible", boolean(claim["feasible"], "claim.feasible"), ms.feasible)
    compare("claim.loss", rational(claim["loss"], "claim.loss"), ms.loss)
    k = len(ms.pattern[0])
    vectors = _branch_vectors(claim["branch_vectors"], "claim.branch_vectors", k)
    genuine = boolean(claim["genuine"], "claim.genuine")
    shown = ", ".join("".join(s) for s in vectors)
    if not ms.feasible:
        compare("claim.genuine", genuine, False)
        compare("claim.branches", claim["branches"], None)
        if "genuineness" in cert:
            raise CertificateError("genuineness", "must be absent when the pattern is infeasible")
        log.append(f"c 13 branch vectors {shown}: none genuine (the cell is empty)")
        return
    if "genuineness" not in cert:
        raise CertificateError("", "missing field 'genuineness' (required when the pattern is feasible)")
    evidence = cert["genuineness"]
    if isinstance(evidence, dict) and "leaves" in evidence:
        fields = record(evidence, "genuineness", ("leaves",))
        l_path = at("genuineness", "leaves")
        leaves = array(fields["leaves"], l_path, len(vectors))
        for pos, (sigma, leaf) in enumerate(zip(vectors, leaves, strict=True)):
            fixed = dict(enumerate(sigma))
            check_leaf(leaf, item(l_path, pos), fixed, ms.pattern, ms.inst.xs, ms.fitted, frozenset(), None)
        compare("claim.genuine", genuine, False)
        compare("claim.branches", claim["branches"], None)
        log.append(f"c 13 branch vectors {shown}: no minimiser is genuine with any of them ({len(vectors)} leaves)")
        return
    branches = check_genuine_witness(evidence, "genuineness", ms.pattern, ms.inst)
    if branches not in vectors:
        raise CertificateError("genuineness.z", f"the witness's branch vector {''.join(branches)} is not in the set")
    compare("claim.genuine", genuine, True)
    compare("claim.branches", claim["branches"], branches)
    log.append(f"c 13 genuine local minimum with branch vector {''.join(branches)} (in the set {shown})")
