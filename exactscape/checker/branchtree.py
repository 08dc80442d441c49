"""Branch trees with Farkas leaves: FORMAT.md 4.2 check 5 (cell trees), 7.2
check 5 (saddle trees) and 8.2 check 4 (boundary trees; what they prove: 8.3
and Lemma C of 8.4).

A tree covers every branch vector sigma of the neurons that are not fixed:
a split node ``{"split": j, b: node, ...}`` has exactly one child per branch
b allowed for neuron j (not fixed, not yet split on the path); a leaf
``{"leaf": {"fit": ..., ["face": m,] "sign": ...}}`` proves that the system

    sum_{j: sigma_j != 0} I[i][j] (x_i . R_j) = p_i       (fit row i, all i)
    a . R_f = 0                                          (face row, boundary only)
    s_ji (x_i . R_j) > 0    (sigma_j in {+,-} fixed or split, (j, i) not skipped)

has no solution R, by multipliers whose combination vanishes on every
variable R_j (sigma_j != 0) with beta = sum_i fit_i p_i >= 0 when a sign
multiplier is present, beta != 0 otherwise (Motzkin's transposition theorem).
The walk is iterative; a neuron is split at most once per path, so the
depth is at most K.
"""

from collections.abc import Callable, Sequence
from fractions import Fraction

from .errors import CertificateError
from .fields import at, item, keyed, record
from .linalg import ZERO, Fitted, Pattern, Vector, as_integers, common_denominator, integer_samples
from .numbers import integer, rational, show

Face = tuple[int, Vector]
"""(f, a): the face row a . R_f = 0 (Theorem 3's x_n . R_k = 0 [42])."""


def check_leaf(
    value: object,
    path: str,
    sigma: dict[int, str],
    pattern: Pattern,
    xs: list[Vector],
    fitted: Sequence[Fraction],
    skip: frozenset[tuple[int, int]],
    face: Face | None,
) -> None:
    """FORMAT 4.2 (5), a leaf: multipliers whose combination vanishes on every variable
    R_j (sigma_j != 0), with beta >= 0 if a sign multiplier is present, else beta != 0."""
    k, d, n = len(pattern[0]), len(xs[0]), len(xs)
    fields = record(value, path, ("fit", "face", "sign") if face is not None else ("fit", "sign"))
    variables = [j for j in range(k) if sigma.get(j) != "0"]
    fit: list[tuple[int, Fraction]] = []
    for (i,), payload, p_path in keyed(fields["fit"], at(path, "fit"), (n,)):
        m = rational(payload, p_path)
        if not m:
            raise CertificateError(p_path, "zero multiplier (zero multipliers are omitted)")
        fit.append((i, m))
    mu = ZERO
    if face is not None:
        mu = rational(fields["face"], at(path, "face"))
    s_path = at(path, "sign")
    signs = keyed(fields["sign"], s_path, (k, n))
    sign: list[tuple[int, int, Fraction]] = []
    for pos, ((j, i), payload, p_path) in enumerate(signs):
        if sigma.get(j) not in ("+", "-"):
            raise CertificateError(item(s_path, pos), f"neuron {j} is not split with branch + or - on this path")
        if (j, i) in skip:
            raise CertificateError(item(s_path, pos), f"pair ({j}, {i}) has no sign row (it lies on the face)")
        m = rational(payload, p_path)
        if m <= 0:
            raise CertificateError(p_path, f"multiplier {show(m)} is not > 0")
        s = (1 if pattern[i][j] else -1) * (1 if sigma[j] == "+" else -1)
        sign.append((j, i, m * s))
    nz = _combination_nonzero(
        k, d, variables, pattern, xs, fit, sign, face if face is not None and sigma.get(face[0]) != "0" else None, mu
    )
    if nz is not None:
        raise CertificateError(path, f"combination non-zero at variable {nz}")
    beta = weighted_sum(fitted, fit)
    if signs and beta < 0:
        raise CertificateError(path, f"beta = {show(beta)} < 0: the rows combine to 0 > beta, no contradiction")
    if not signs and not beta:
        raise CertificateError(path, "beta = 0 and no sign multiplier: the rows combine to 0 = 0, no contradiction")


def _combination_nonzero(
    k: int,
    d: int,
    variables: list[int],
    pattern: Pattern,
    xs: list[Vector],
    fit: list[tuple[int, Fraction]],
    sign: list[tuple[int, int, Fraction]],
    face: Face | None,
    mu: Fraction,
) -> tuple[int, int] | None:
    """The first variable (j, l), j in ``variables``, at which
    sum_i fit_i I[i][j] x_il + sum sign_ji x_il (+ mu a_l for the face's neuron) is non-zero.

    In integers: every multiplier times their least common denominator L, every sample
    times the samples' common denominator (the sum is zero iff it is zero scaled by L D)."""
    xz, _ = integer_samples(xs)
    coefs = [m for _, m in fit] + [m for _, _, m in sign] + ([mu] if face is not None else [])
    L = common_denominator(coefs)
    comb = [[0] * d for _ in range(k)]
    on = set(variables)
    for i, m in fit:
        mz = m.numerator * (L // m.denominator)
        row = pattern[i]
        xi = xz[i]
        for j in variables:
            if row[j]:
                acc = comb[j]
                for pos, b in enumerate(xi):
                    if b:
                        acc[pos] += mz * b
    for j, i, m in sign:
        if j in on:
            mz = m.numerator * (L // m.denominator)
            acc = comb[j]
            for pos, b in enumerate(xz[i]):
                if b:
                    acc[pos] += mz * b
    if face is not None:
        f, a = face
        az, aden = as_integers(a)
        _, dx = integer_samples(xs)
        mz = mu.numerator * (L // mu.denominator)
        # comb is scaled by L dx; the face row a enters as mu a = mz az / (L aden): scale to L dx aden
        comb[f] = [c * aden + mz * v * dx for c, v in zip(comb[f], az, strict=True)]
    for j in variables:
        for pos, v in enumerate(comb[j]):
            if v:
                return j, pos
    return None


def weighted_sum(fitted: Sequence[Fraction], terms: list[tuple[int, Fraction]]) -> Fraction:
    """beta = sum_i m_i p_i exactly, in integers over common denominators when the fitted
    values are given as y_i + e_i / den (:class:`Fitted`)."""
    if not terms:
        return ZERO
    if isinstance(fitted, Fitted):
        mz, L = as_integers([m for _, m in terms])
        y = fitted.y_values
        yz, yden = as_integers([y[i] for i, _ in terms])
        ez, den = fitted.integers
        # sum m_i (y_i + e_i / den) = (sum mz_i (yz_i den + e_i yden)) / (L yden den)
        total = sum(a * (b * den + ez[i] * yden) for (i, _), a, b in zip(terms, mz, yz, strict=True))
        return Fraction(total, L * yden * den)
    acc = ZERO
    for i, m in terms:
        acc += m * fitted[i]
    return acc


def check_tree(
    value: object,
    path: str,
    pattern: Pattern,
    xs: list[Vector],
    fitted: Sequence[Fraction],
    fixed: dict[int, str],
    allowed: tuple[str, ...],
    skip: frozenset[tuple[int, int]] = frozenset(),
    face: Face | None = None,
    leaf_check: Callable[[object, str, dict[int, str]], bool] | None = None,
) -> int:
    """FORMAT 4.2 (5), the tree: walk it (module docstring); neurons in ``fixed`` are never split,
    the others split into ``allowed``. ``leaf_check(leaf, path, sigma)`` may check a leaf of
    another form first (True: checked; False: the Motzkin leaf above). Returns the number of leaves."""
    k = len(pattern[0])
    leaves = 0
    stack: list[tuple[object, str, dict[int, str]]] = [(value, path, dict(fixed))]
    while stack:
        node, n_path, sigma = stack.pop()
        if isinstance(node, dict) and "leaf" in node:
            fields = record(node, n_path, ("leaf",))
            if leaf_check is None or not leaf_check(fields["leaf"], at(n_path, "leaf"), sigma):
                check_leaf(fields["leaf"], at(n_path, "leaf"), sigma, pattern, xs, fitted, skip, face)
            leaves += 1
            continue
        fields = record(node, n_path, ("split",) + allowed)
        j = integer(fields["split"], at(n_path, "split"), 0, k - 1)
        if j in fixed:
            raise CertificateError(at(n_path, "split"), f"neuron {j} has a fixed branch and is never split")
        if j in sigma:
            raise CertificateError(at(n_path, "split"), f"neuron {j} is already split on this path")
        for branch in reversed(allowed):
            stack.append((fields[branch], at(n_path, branch), {**sigma, j: branch}))
    return leaves
