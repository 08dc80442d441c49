"""Leaves with implied fit multipliers (FORMAT.md 4.2 check 5, new in 1.4).

A cell tree's leaf ``{"sign": [[j, i, m], ...], "zero": [[j, l, m], ...]}`` gives
no fit multipliers. With s_ji as in 4.2 and e_(j,l) the unit vector of column
(j, l), the checker forms

    w = sum_(j,i) sign_ji s_ji x_i (in block j) + sum_(j,l) zero_jl e_(j,l)

and checks w . n_k = 0 for every null vector n_k of check 3 (they span the null
space of A, so w = -A^T m for some m) and beta = -w . R0 >= 0 (> 0 or < 0, i.e.
!= 0, without sign multipliers), R0 the minimiser of check 4. A solution R of the
leaf's system would give w . R = -m . A R = -m . p = w . R0 = -beta, while its
rows make w . R > 0 (= 0 without sign multipliers). Everything is computed in
integers over common denominators: w times L D (L the multipliers', D the
samples' common denominator).
"""

from collections.abc import Sequence
from dataclasses import dataclass
from fractions import Fraction

from .errors import CertificateError
from .fields import at, item, keyed, record
from .linalg import Pattern, Vector, as_integers, common_denominator, integer_samples
from .numbers import rational, show

SparseVector = list[tuple[int, int]]
"""Non-zero entries (column j d + l, integer value) of a vector of Q^{Kd} scaled to integers."""


@dataclass(frozen=True)
class NullSpace:
    """What a leaf with implied fit multipliers needs from checks 3 and 4: the null vectors
    (integer-scaled, sparse; none when rank A = Kd) and the minimiser R0 = ``r0`` / ``r0_den``
    as integers, column j d + l at position j d + l."""

    vectors: list[SparseVector]
    r0: list[int]
    r0_den: int


def null_space_of(vectors: list[SparseVector], r0: Sequence[Vector]) -> NullSpace:
    """:class:`NullSpace` from the sparse null vectors of check 3 and R0 given as K blocks."""
    rz, rden = as_integers([v for b in r0 for v in b])
    return NullSpace(vectors, rz, rden)


def check_implied_leaf(
    value: object,
    path: str,
    sigma: dict[int, str],
    pattern: Pattern,
    xs: list[Vector],
    null: NullSpace,
) -> None:
    """FORMAT 4.2 (5), a leaf with implied fit multipliers (new in 1.4; module docstring)."""
    k, d = len(pattern[0]), len(xs[0])
    fields = record(value, path, ("sign", "zero"))
    s_path = at(path, "sign")
    signs = keyed(fields["sign"], s_path, (k, len(xs)))
    sign: list[tuple[int, int, Fraction]] = []
    for pos, ((j, i), payload, p_path) in enumerate(signs):
        if sigma.get(j) not in ("+", "-"):
            raise CertificateError(item(s_path, pos), f"neuron {j} is not split with branch + or - on this path")
        m = rational(payload, p_path)
        if m <= 0:
            raise CertificateError(p_path, f"multiplier {show(m)} is not > 0")
        s = (1 if pattern[i][j] else -1) * (1 if sigma[j] == "+" else -1)
        sign.append((j, i, m * s))
    z_path = at(path, "zero")
    zero: list[tuple[int, int, Fraction]] = []
    for pos, ((j, l), payload, p_path) in enumerate(keyed(fields["zero"], z_path, (k, d))):
        if sigma.get(j) != "0":
            raise CertificateError(item(z_path, pos), f"neuron {j} is not split with branch 0 on this path")
        m = rational(payload, p_path)
        if not m:
            raise CertificateError(p_path, "zero multiplier (zero multipliers are omitted)")
        zero.append((j, l, m))
    xz, dx = integer_samples(xs)
    L = common_denominator([m for _, _, m in sign] + [m for _, _, m in zero])
    w: dict[int, int] = {}  # w times L dx, by column j d + l
    for j, i, m in sign:
        mz = m.numerator * (L // m.denominator)
        for l, b in enumerate(xz[i]):
            if b:
                c = j * d + l
                w[c] = w.get(c, 0) + mz * b
    for j, l, m in zero:
        c = j * d + l
        w[c] = w.get(c, 0) + m.numerator * (L // m.denominator) * dx
    for n, vec in enumerate(null.vectors):
        if sum(w[c] * v for c, v in vec if c in w):
            raise CertificateError(path, f"w is not orthogonal to null vector {n}: no fit multipliers exist")
    total = -sum(v * null.r0[c] for c, v in w.items())
    if sign and total < 0:
        beta = Fraction(total, L * dx * null.r0_den)
        raise CertificateError(path, f"beta = {show(beta)} < 0: the rows combine to 0 > beta, no contradiction")
    if not sign and not total:
        raise CertificateError(path, "beta = 0 and no sign multiplier: the rows combine to 0 = 0, no contradiction")
