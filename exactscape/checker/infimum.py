"""Kind ``infimum`` (FORMAT.md 10.3, new in 1.2): the exact infimum of the loss
over one open cell, attained on its closure.

For every branch vector sigma in {+, -}^K (lexicographic, "+" before "-") a
case gives R (K x d) and multipliers [j, i, mu]. Checks per case: 1. the
case's branches are sigma; 2. R is feasible: sigma_j s_ij x_i . R_j >= 0 for
every i, j (s_ij = +1 where I[i][j] = 1, else -1); 3. every mu > 0, keys
(j, i) strictly increasing, and x_i . R_j = 0 (complementary slackness);
4. A^T (A R - y) = sum mu sigma_j s_ij x_i, block by block (KKT: R
minimises the convex quadratic over the closed cone; FORMAT.md 10.3 gives
the one-line proof). The case's value is
(1/N)||A R - y||^2. Then claim.loss must be the least value and
claim.branches the first sigma attaining it.

New in 1.3: ``witness`` (K x d), every w_j strictly inside its open cone C_j,
proves the cell non-empty; only then is the minimum over the closed cones the
infimum over the cell (its closure is the product of the closed cones). A 1.2
certificate has no witness and proves the minimum over the closed cones only.
"""

from fractions import Fraction
from itertools import product

from .cones import check_in_cells
from .envelope import Instance, minor_version, parse_instance, require_1_2
from .errors import CertificateError
from .fields import array, at, compare, item, keyed, matrix, parse_pattern, record
from .linalg import ZERO, Pattern, add_scaled, apply_a, apply_at, dot
from .numbers import rational, show

ROOT_FIELDS = ("format", "version", "kind", "instance", "claim", "pattern", "cases")
CLAIM_FIELDS = ("loss", "branches")
MAX_NEURONS = 12


def check_case(case: object, c_path: str, sigma: list[str], pattern: Pattern, inst: Instance) -> Fraction:
    """FORMAT 10.3, one case: (1) ``branches`` is sigma; (2) R is feasible,
    sigma_j s_ij x_i . R_j >= 0; (3) every mu > 0 with x_i . R_j = 0 where listed;
    (4) A^T (A R - y) = sum mu sigma_j s_ij x_i block by block. Returns (1/N)||A R - y||^2."""
    k = len(pattern[0])
    cf = record(case, c_path, ("branches", "R", "multipliers"))
    if cf["branches"] != sigma:
        raise CertificateError(at(c_path, "branches"), f"expected {sigma} (every sigma in {{+,-}}^K in order)")
    R = matrix(cf["R"], at(c_path, "R"), k, inst.d)
    for j in range(k):
        sg = 1 if sigma[j] == "+" else -1
        for i, x in enumerate(inst.xs):
            s = sg * (1 if pattern[i][j] else -1)
            if s * dot(R[j], x) < 0:
                raise CertificateError(
                    item(at(c_path, "R"), j), f"sigma_j s_ij x_{i} . R_{j} = {show(s * dot(R[j], x))} < 0"
                )
    comb = [[ZERO] * inst.d for _ in range(k)]
    m_path = at(c_path, "multipliers")
    for (j, i), payload, p_path in keyed(cf["multipliers"], m_path, (k, inst.n)):
        mu = rational(payload, p_path)
        if mu <= 0:
            raise CertificateError(p_path, f"multiplier {show(mu)} is not > 0")
        if dot(R[j], inst.xs[i]) != 0:
            raise CertificateError(p_path, f"x_{i} . R_{j} != 0 where its multiplier is positive")
        sg = (1 if sigma[j] == "+" else -1) * (1 if pattern[i][j] else -1)
        add_scaled(comb[j], mu * sg, inst.xs[i])
    res = [a - b for a, b in zip(apply_a(pattern, inst.xs, R), inst.y, strict=True)]
    if apply_at(pattern, inst.xs, res, k) != comb:
        raise CertificateError(m_path, "A^T (A R - y) is not the claimed combination of the active rows")
    return sum((v * v for v in res), Fraction(0)) / inst.n


def check_infimum(cert: dict[str, object], lines: list[str]) -> None:
    """Run the checks of FORMAT.md 10.3 in order: (1.3) the witness inside every open cone,
    every case, then ``claim.loss`` the least case value and ``claim.branches`` the first
    sigma attaining it."""
    require_1_2(cert, "kind 'infimum'", "kind")
    new = minor_version(cert) >= 3
    fields = record(cert, "", ROOT_FIELDS + (("witness",) if new else ()))
    inst = parse_instance(fields["instance"], "instance")
    lines.append(inst.summary())
    pattern = parse_pattern(fields["pattern"], "pattern", inst.n)
    k = len(pattern[0])
    if k > MAX_NEURONS:
        raise CertificateError("pattern", f"K = {k}: more than {MAX_NEURONS} neurons (2^K cases) is refused")
    if new:
        check_in_cells(matrix(fields["witness"], "witness", k, inst.d), "witness", pattern, inst.xs)
        lines.append("c 0 the cell is non-empty: the witness is strictly inside every open cone C_j")
    claim = record(fields["claim"], "claim", CLAIM_FIELDS)
    sigmas = [list(s) for s in product("+-", repeat=k)]
    cases = array(fields["cases"], "cases", len(sigmas))
    best: Fraction | None = None
    best_sigma: list[str] = []
    for n, (sigma, case) in enumerate(zip(sigmas, cases, strict=True)):
        value = check_case(case, item("cases", n), sigma, pattern, inst)
        if best is None or value < best:
            best, best_sigma = value, sigma
    lines.append(f"c 1-4 cases: all {len(sigmas)} branch vectors minimised (KKT verified)")
    if best is None:  # pragma: no cover - K >= 1 gives 2 cases at least
        raise CertificateError("cases", "no case")
    compare("claim.loss", rational(claim["loss"], "claim.loss"), best)
    compare("claim.branches", claim["branches"], best_sigma)
    if new:
        lines.append(
            f"c infimum over the cell: {show(best)}, attained on its closure (branches {' '.join(best_sigma)})"
        )
    else:
        lines.append(
            f"c minimum over the closed cones sigma_j cl C_j: {show(best)} (branches {' '.join(best_sigma)}); "
            "version 1.2 does not prove the cell non-empty, so this is its infimum only if it is"
        )
