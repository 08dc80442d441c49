"""Open cones of one neuron: membership and emptiness (support module).

The open cell of neuron j for a pattern I is the open cone
C_j = {w : s_i (w . x_i) > 0 for every sample i}, s_i = +1 if I[i][j] = 1
else -1 (docs/theory.md §1). Two checks recur in every kind:

* :func:`check_in_cells`: given weights lie strictly inside their cones
  (FORMAT.md 4.2 check 2 and 5, 7.2 check 3; with one pair (k, n) on its
  hyperplane instead, 8.2 check 2 and 4);
* :func:`check_empty_cone`: multipliers m_i > 0 with
  sum_i m_i s_i x_i + v = 0 prove an open cone empty (Gordan's theorem; with
  v = mu x_n or mu g_j, the cone cut by the hyperplane {w . x_n = 0} or
  {w . g_j = 0}, which Farkas' lemma covers likewise): for w in the cone,
  the left side dotted with w is sum_i m_i s_i (x_i . w) > 0, while the
  right side is 0 (FORMAT.md 4.2 check 2, 7.2 check 5, 8.2 check 2, 10.2
  check 3, 12.2 check 4).
"""

from fractions import Fraction

from .errors import CertificateError
from .fields import item, keyed
from .linalg import ZERO, Blocks, Pattern, Vector, add_scaled, dot, first_nonzero, signs_of_products
from .numbers import rational, show


def _outside(path: str, pattern: Pattern, j: int, i: int, value: Fraction) -> CertificateError:
    if pattern[i][j]:
        return CertificateError(
            item(path, j), f"w_{j} . x_{i} = {show(value)} is not > 0 (neuron {j} active on sample {i})"
        )
    return CertificateError(
        item(path, j), f"w_{j} . x_{i} = {show(value)} is not < 0 (neuron {j} inactive on sample {i})"
    )


def check_in_cells(
    w: Blocks, path: str, pattern: Pattern, xs: list[Vector], face: tuple[int, int] | None = None
) -> None:
    """Every w_j strictly inside C_j: w_j . x_i > 0 if I[i][j] = 1, < 0 otherwise;
    with ``face`` = (k, n), w_k . x_n = 0 instead for that one pair (the face of 8)."""
    for j, wj in enumerate(w):
        signs = signs_of_products(xs, wj)
        for i, x in enumerate(xs):
            if face == (j, i):
                if signs[i]:
                    raise CertificateError(item(path, j), f"w_{j} . x_{i} = {show(dot(wj, x))} is not 0 (the face)")
                continue
            if signs[i] != 0 and (signs[i] > 0) == bool(pattern[i][j]):
                continue
            raise _outside(path, pattern, j, i, dot(wj, x))


def check_empty_cone(
    value: object,
    path: str,
    xs: list[Vector],
    signs: list[int],
    start: Vector | None = None,
    extra: str = "",
    skip: tuple[int, int] | None = None,
) -> int:
    """Multipliers ``[[i, m], ...]`` (keys i < len(signs) strictly increasing, at least
    one, every m > 0, never the sample of the pair ``skip`` = (k, n) on the face) with sum_i m_i s_i x_i + start = 0,
    ``start`` the vector named ``extra`` in messages (zero when absent). Returns the
    number of multipliers; the cone {w : s_i x_i . w > 0 for the listed i} (and
    {start . w = 0} when given) is empty (module docstring)."""
    combination = list(start) if start is not None else [ZERO] * len(xs[0])
    entries = keyed(value, path, (len(signs),), min_length=1)
    for (i,), payload, p_path in entries:
        if skip is not None and i == skip[1]:
            raise CertificateError(p_path, f"pair ({skip[0]}, {i}) lies on the face and has no sign row")
        m = rational(payload, p_path)
        if m <= 0:
            raise CertificateError(p_path, f"multiplier {show(m)} is not > 0")
        add_scaled(combination, m * signs[i], xs[i])
    pos = first_nonzero([combination])
    if pos is not None:
        raise CertificateError(path, f"sum_i m_i s_i x_i{extra} is non-zero at coordinate {pos[1]}")
    return len(entries)


def cell_signs(pattern: Pattern, j: int) -> list[int]:
    """s_i = +1 if I[i][j] = 1 else -1: the signs of neuron j's open cell C_j."""
    return [1 if row[j] else -1 for row in pattern]
