"""Kind ``faces`` (FORMAT.md 5.6, new in 1.3): faces of the weight space that hold no
local minimum, each by the Farkas multipliers of its named LP rows.

A face fixes, for every neuron j, the sign s_ji in {+1, -1, 0} of w_j . x_i for every
sample and the sign s_j of z_j. H_j: the non-zero samples with s_ji = 0 (the walls),
I[i][j] = [s_ji > 0]. Variables: R_jl and, per neuron with s_j != 0, piece p and wall
position t, mu_jpt. Rows (each named by its tag and indices):

* ("zero", j, l), s_j = 0: R_jl = 0;
* ("wall", j, i), s_j != 0, i in H_j: x_i . R_j = 0;
* ("side", j, i), s_j != 0, x_i != 0, s_ji != 0: s_j s_ji x_i . R_j > 0;
* ("piece", j, p, l): with sigma the piece's signs over H_j and
  act = {i : s_ji > 0} plus the walls sigma makes active,
  c r_l - [s_j != 0] sum_t sigma_t x_{H_t, l} mu_jpt = c sum_{i in act} x_il y_i, where
  r_l = sum_{i in act} x_il sum_k I[i][k] x_i . R_k and c = s_j (1 when s_j = 0);
* ("mu", j, p, t), s_j != 0: mu_jpt >= 0.

Multipliers m (E rows any non-zero, strict and >= rows > 0) with every variable's
coefficient summing to 0 and beta = sum m * rhs: beta >= 0 with a strict row, beta > 0
with a >= row and no strict one, beta != 0 with equations only; then the rows have no
common solution (a solution would give 0 > beta, 0 >= beta, or 0 = beta). Each piece carries an interior witness.
"""

from fractions import Fraction

from .envelope import Instance, parse_instance
from .errors import CertificateError
from .fields import array, at, item, record, vector
from .linalg import ZERO, dot
from .local import require_1_3
from .numbers import describe, integer, rational, show

ROOT_FIELDS = ("format", "version", "kind", "instance", "claim", "faces")
FACE_FIELDS = ("signs", "z", "pieces", "farkas")
TAGS = {"zero": 2, "wall": 2, "side": 2, "piece": 3, "mu": 3}
"""Row tags and their number of indices."""


def _face(value: object, path: str, inst: Instance, k: int) -> tuple[list[list[int]], list[int], dict[str, object]]:
    """The signs s_ji (zero samples must have sign 0), the signs of z, and the face's fields."""
    fields = record(value, path, FACE_FIELDS)
    s_path = at(path, "signs")
    rows = array(fields["signs"], s_path, k)
    signs = []
    for j, row in enumerate(rows):
        r_path = item(s_path, j)
        sj = [integer(v, item(r_path, i), -1, 1) for i, v in enumerate(array(row, r_path, inst.n))]
        for i, v in enumerate(sj):
            if v and not any(inst.xs[i]):
                raise CertificateError(item(r_path, i), f"x_{i} = 0 has sign 0 on every weight")
        signs.append(sj)
    z_path = at(path, "z")
    z = [integer(v, item(z_path, j), -1, 1) for j, v in enumerate(array(fields["z"], z_path, k))]
    return signs, z, fields


def _pieces(value: object, path: str, inst: Instance, walls: list[list[int]]) -> list[list[list[int]]]:
    """Per neuron, its pieces: signs over its walls and a witness strictly inside."""
    out = []
    for j, entry in enumerate(array(value, path, len(walls))):
        j_path = item(path, j)
        mine = []
        for p, piece in enumerate(array(entry, j_path)):
            p_path = item(j_path, p)
            pf = record(piece, p_path, ("active", "witness"))
            a_path = at(p_path, "active")
            active = [
                integer(v, item(a_path, t), 0, 1) for t, v in enumerate(array(pf["active"], a_path, len(walls[j])))
            ]
            b = vector(pf["witness"], at(p_path, "witness"), inst.d)
            for t, i in enumerate(walls[j]):
                if (1 if active[t] else -1) * dot(b, inst.xs[i]) <= 0:
                    raise CertificateError(at(p_path, "witness"), f"not strictly inside: sign of b . x_{i} is wrong")
            mine.append(active)
        out.append(mine)
    return out


def _row(
    tag: str,
    idx: list[int],
    inst: Instance,
    signs: list[list[int]],
    z: list[int],
    walls: list[list[int]],
    pieces: list[list[list[int]]],
    path: str,
) -> tuple[str, dict[tuple[object, ...], Fraction], Fraction]:
    """Rebuild one named row: (relation, coefficients by variable, right-hand side)."""
    k, d, n = len(signs), inst.d, inst.n
    xs, y = inst.xs, inst.y
    j = idx[0]
    if not 0 <= j < k:
        raise CertificateError(path, f"neuron {j} out of range")
    if tag == "zero":
        l = idx[1]
        if z[j] != 0 or not 0 <= l < d:
            raise CertificateError(path, "a 'zero' row needs z_j = 0 and 0 <= l < d")
        return "=", {("R", j, l): Fraction(1)}, ZERO
    if tag in ("wall", "side"):
        i = idx[1]
        if z[j] == 0 or not 0 <= i < n or not any(xs[i]):
            raise CertificateError(path, f"a {tag!r} row needs z_j != 0 and a non-zero sample")
        coef: dict[tuple[object, ...], Fraction] = {("R", j, l): xs[i][l] for l in range(d) if xs[i][l]}
        if tag == "wall":
            if signs[j][i] != 0:
                raise CertificateError(path, f"x_{i} is not a wall of neuron {j}")
            return "=", coef, ZERO
        if signs[j][i] == 0:
            raise CertificateError(path, f"x_{i} is a wall of neuron {j}, it has no side row")
        return ">", {key: z[j] * signs[j][i] * v for key, v in coef.items()}, ZERO
    p, last = idx[1], idx[2]
    if not 0 <= p < len(pieces[j]):
        raise CertificateError(path, f"piece {p} out of range")
    active = pieces[j][p]
    if tag == "mu":
        if z[j] == 0 or not 0 <= last < len(walls[j]):
            raise CertificateError(path, "a 'mu' row needs z_j != 0 and a wall position")
        return ">=", {("mu", j, p, last): Fraction(1)}, ZERO
    l = last
    if not 0 <= l < d:
        raise CertificateError(path, f"coordinate {l} out of range")
    act = [i for i in range(n) if signs[j][i] > 0] + [i for t, i in enumerate(walls[j]) if active[t]]
    c = z[j] if z[j] else 1
    coef = {}
    rhs = ZERO
    for i in act:
        if not xs[i][l]:
            continue
        rhs += c * xs[i][l] * y[i]
        for kk in range(k):
            if signs[kk][i] > 0:
                for m in range(d):
                    r_key: tuple[object, ...] = ("R", kk, m)
                    coef[r_key] = coef.get(r_key, ZERO) + c * xs[i][l] * xs[i][m]
    if z[j]:
        for t, i in enumerate(walls[j]):
            mu_key: tuple[object, ...] = ("mu", j, p, t)
            coef[mu_key] = coef.get(mu_key, ZERO) - (1 if active[t] else -1) * xs[i][l]
    return "=", coef, rhs


def _farkas(
    value: object,
    path: str,
    inst: Instance,
    signs: list[list[int]],
    z: list[int],
    walls: list[list[int]],
    pieces: list[list[list[int]]],
) -> None:
    """The multipliers: named rows strictly increasing, signs right, combination 0, beta."""
    total: dict[tuple[object, ...], Fraction] = {}
    beta = ZERO
    strict = weak = False
    previous: tuple[str, list[int]] | None = None
    for e, entry in enumerate(array(value, path, min_length=1)):
        e_path = item(path, e)
        parts = array(entry, e_path, min_length=3)
        tag = parts[0]
        if not isinstance(tag, str) or tag not in TAGS:
            raise CertificateError(item(e_path, 0), f"unknown row tag {describe(tag)}")
        if len(parts) != TAGS[tag] + 2:
            raise CertificateError(e_path, f"a {tag!r} row has {TAGS[tag]} indices and a multiplier")
        idx = [integer(v, item(e_path, a + 1), 0) for a, v in enumerate(parts[1:-1])]
        key = (tag, idx)
        if previous is not None and key <= previous:
            raise CertificateError(e_path, "rows must be strictly increasing (tag, then indices)")
        previous = key
        m = rational(parts[-1], item(e_path, len(parts) - 1))
        rel, coef, rhs = _row(tag, idx, inst, signs, z, walls, pieces, e_path)
        if rel == "=" and not m:
            raise CertificateError(item(e_path, len(parts) - 1), "a zero multiplier is not listed")
        if rel != "=" and m <= 0:
            raise CertificateError(item(e_path, len(parts) - 1), f"multiplier {show(m)} of a {rel} row is not > 0")
        strict = strict or rel == ">"
        weak = weak or rel == ">="
        for var, v in coef.items():
            total[var] = total.get(var, ZERO) + m * v
        beta += m * rhs
    nonzero = [var for var, v in total.items() if v]
    if nonzero:
        raise CertificateError(path, f"the combination is non-zero on {nonzero[0]}")
    if strict and beta < 0:
        raise CertificateError(path, f"beta = {show(beta)} < 0 with a strict row: no contradiction")
    if not strict and weak and beta <= 0:
        raise CertificateError(path, f"beta = {show(beta)} <= 0 with a >= row and no strict one: no contradiction")
    if not strict and not weak and beta == 0:
        raise CertificateError(path, "beta = 0 with equations only: no contradiction")


def check_faces(cert: dict[str, object], lines: list[str]) -> None:
    """FORMAT 5.6: every listed face holds no local minimum."""
    require_1_3(cert, "kind 'faces'", "kind")
    fields = record(cert, "", ROOT_FIELDS)
    inst = parse_instance(fields["instance"], "instance")
    lines.append(inst.summary())
    claim = record(fields["claim"], "claim", ("neurons", "faces"))
    k = integer(claim["neurons"], "claim.neurons", 1, 64)
    faces = array(fields["faces"], "faces")
    if integer(claim["faces"], "claim.faces", 0) != len(faces):
        raise CertificateError("claim.faces", f"claims {claim['faces']}, the certificate lists {len(faces)}")
    for f, entry in enumerate(faces):
        f_path = item("faces", f)
        signs, z, ff = _face(entry, f_path, inst, k)
        walls = [[i for i in range(inst.n) if signs[j][i] == 0 and any(inst.xs[i])] for j in range(k)]
        pieces = _pieces(ff["pieces"], at(f_path, "pieces"), inst, walls)
        _farkas(ff["farkas"], at(f_path, "farkas"), inst, signs, z, walls, pieces)
    lines.append(f"c {len(faces)} faces: no point of any is a local minimum (Farkas rows, FORMAT 5.6, Lemma E)")
