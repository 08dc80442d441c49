"""Kind ``point``: what a given point (z, w) is (FORMAT.md 5).

The loss at the point is re-computed [1]; the set H of (neuron, sample) pairs
on a hyperplane decides ``not-covered``; otherwise the point is strictly
inside a cell and the per-neuron vectors G_j = sum_i I[i][j] e_i x_i decide
stationarity (Lemma 1, [10-11]; the gradient of L in (z_j, w_j) is, up to
2/N, (w_j . G_j, z_j G_j)). Saddles and non-stationary points carry curves
(5.3) on which L(t) - L(0) is an exact polynomial for small t > 0.
"""

from fractions import Fraction

from . import poly
from .envelope import Instance, parse_instance
from .errors import CertificateError
from .fields import array, at, item, keyed, matrix, record, vector
from .linalg import ZERO, Blocks, add_scaled, dot, first_nonzero
from .numbers import clip, describe, integer, rational, show

BASE_FIELDS = ("format", "version", "kind", "instance", "claim", "weights")
EVIDENCE = {
    "not-covered": ("on_hyperplanes",),
    "local-minimum": (),
    "saddle": ("descent", "ascent"),
    "not-stationary": ("descent",),
    "non-differentiable-local-minimum": ("kkt",),  # new in 1.1 (FORMAT.md 5.4)
    "not-a-local-minimum": ("descent",),  # new in 1.1
}
"""For every verdict, the evidence fields it requires; the others must be absent."""

MAX_CURVE_DEGREE = 16
"""Each moved weight of a curve is a polynomial of degree at most 16 in t
(at most 16 coefficients c_1..c_m), so a curve has at most 16 (K + K d)
coefficients and L(t) has degree at most 64: the check costs
O(N K d 16 + N (K 32)^2) operations on rationals (FORMAT.md 5.3)."""


def loss_at(z: list[Fraction], pre: list[list[Fraction]], inst: Instance) -> tuple[list[Fraction], Fraction]:
    """Network outputs f(x_i) = sum_j z_j [w_j . x_i]_+ and the loss L [1].

    ``pre[j][i]`` is w_j . x_i.
    """
    outputs = [sum((zj * row[i] for zj, row in zip(z, pre, strict=True) if row[i] > 0), ZERO) for i in range(inst.n)]
    loss = sum(((f - y) ** 2 for f, y in zip(outputs, inst.y, strict=True)), ZERO) / inst.n
    return outputs, loss


def _term(k: int, c: Fraction) -> str:
    return f"{show(c)} t^{k}"


def check_curve(
    value: object, path: str, z: list[Fraction], w: Blocks, inst: Instance, loss: Fraction, descent: bool
) -> str:
    """FORMAT.md 5.3: L(t) - L(0) is a non-zero polynomial near 0+ whose lowest
    coefficient is negative (``descent``) or positive (ascent). Returns a detail line.
    """
    k, d = len(z), inst.d
    fields = record(value, path, ("dz", "dw"))
    z_t: list[poly.Poly] = [poly.const(zj) for zj in z]
    w_t: list[list[poly.Poly]] = [[poly.const(a) for a in wj] for wj in w]
    dz = keyed(fields["dz"], at(path, "dz"), (k,))
    dw = keyed(fields["dw"], at(path, "dw"), (k, d))
    if not dz and not dw:
        raise CertificateError(path, "a curve moves at least one weight (dz and dw are both empty)")
    for keys, payload, p_path in dz + dw:
        coefs = array(payload, p_path, min_length=1)
        if len(coefs) > MAX_CURVE_DEGREE:  # refused before any polynomial product (FORMAT.md 5.3)
            raise CertificateError(
                p_path, f"{len(coefs)} coefficients: a curve entry has degree at most {MAX_CURVE_DEGREE} in t"
            )
        moved = [rational(c, item(p_path, n)) for n, c in enumerate(coefs)]
        if not moved[-1]:
            raise CertificateError(item(p_path, len(moved) - 1), "last coefficient is zero")
        if len(keys) == 1:
            z_t[keys[0]] = poly.trim([z[keys[0]]] + moved)
        else:
            j, pos = keys
            w_t[j][pos] = poly.trim([w[j][pos]] + moved)
    total: poly.Poly = []
    for x, y in zip(inst.xs, inst.y, strict=True):
        output: poly.Poly = []
        for zj, wj in zip(z_t, w_t, strict=True):
            pre: poly.Poly = []
            for coord, xl in zip(wj, x, strict=True):
                pre = poly.add(pre, poly.scale(xl, coord))
            output = poly.add(output, poly.mul(zj, poly.positive_part(pre)))
        error = poly.sub(output, poly.const(y))
        total = poly.add(total, poly.mul(error, error))
    change = poly.sub(poly.scale(Fraction(1, inst.n), total), poly.const(loss))
    low = poly.lowest(change)
    name = "descent" if descent else "ascent"
    if low is None:
        raise CertificateError(path, f"not a {name} curve: L(t) - L(0) is identically zero")
    if (low[1] < 0) != descent:
        raise CertificateError(path, f"not a {name} curve: L(t) - L(0) = {_term(*low)} + ... for small t > 0")
    return f"c {name} curve: L(t) - L(0) = {_term(*low)} + ..."


def _hyperplanes(value: object, path: str, k: int, n: int) -> list[tuple[int, int]]:
    """The ``on_hyperplanes`` list of [j, i] pairs."""
    out = []
    for m, entry in enumerate(array(value, path)):
        e_path = item(path, m)
        pair = array(entry, e_path, 2)
        out.append((integer(pair[0], item(e_path, 0), 0, k - 1), integer(pair[1], item(e_path, 1), 0, n - 1)))
    return out


def check_point(cert: dict[str, object], log: list[str]) -> None:
    """Run the checks of FORMAT.md 5.2, appending ``c`` lines to ``log``."""
    optional = ("on_hyperplanes", "descent", "ascent", "kkt")
    record(cert, "", BASE_FIELDS, optional)
    inst = parse_instance(cert["instance"], "instance")
    claim = record(cert["claim"], "claim", ("verdict", "loss"))
    verdict = claim["verdict"]
    if not isinstance(verdict, str) or verdict not in EVIDENCE:
        raise CertificateError("claim.verdict", f"unknown verdict {describe(verdict)}")
    for name in optional:
        if name in EVIDENCE[verdict] and name not in cert:
            raise CertificateError("", f"missing field {name!r} (required for verdict {verdict!r})")
        if name not in EVIDENCE[verdict] and name in cert:
            raise CertificateError(name, f"not allowed for verdict {verdict!r}")
    claimed_loss = rational(claim["loss"], "claim.loss")
    log.append(inst.summary())

    weights = record(cert["weights"], "weights", ("z", "w"))
    k = len(array(weights["z"], "weights.z", min_length=1))
    z = vector(weights["z"], "weights.z", k)
    w = matrix(weights["w"], "weights.w", k, inst.d)
    pre = [[dot(wj, x) for x in inst.xs] for wj in w]
    outputs, loss = loss_at(z, pre, inst)
    if claimed_loss != loss:
        raise CertificateError("claim.loss", f"claimed {show(claimed_loss)}, derived {show(loss)}")
    log.append(f"c point: K = {k}, loss {show(loss)}")

    on = [(j, i) for j in range(k) for i in range(inst.n) if not pre[j][i]]
    if verdict in ("non-differentiable-local-minimum", "not-a-local-minimum") or (on and verdict == "not-covered"):
        from .boundary import check_point_on_hyperplane  # 1.1 rules on a hyperplane (FORMAT.md 5.4)

        log.append(check_point_on_hyperplane(cert, verdict, z, w, pre, inst, loss, on))
        if verdict != "not-covered":
            return
    if verdict == "not-covered":
        listed = _hyperplanes(cert["on_hyperplanes"], "on_hyperplanes", k, inst.n)
        if not on:
            raise CertificateError(
                "claim.verdict", "'not-covered' but no w_j . x_i is zero (the point is inside a cell)"
            )
        if listed != on:
            shown, derived = (clip(str([list(p) for p in pairs])) for pairs in (listed, on))
            raise CertificateError("on_hyperplanes", f"lists {shown}, derived {derived}")
        log.append(f"c not covered: {len(on)} pairs (j, i) with w_j . x_i = 0")
        return
    if on:
        j, i = on[0]
        raise CertificateError(
            "claim.verdict", f"{verdict!r} but w_{j} . x_{i} = 0 (the verdict must be 'not-covered')"
        )

    g: Blocks = [[ZERO] * inst.d for _ in range(k)]
    for i, (x, f, y) in enumerate(zip(inst.xs, outputs, inst.y, strict=True)):
        for j in range(k):
            if pre[j][i] > 0:
                add_scaled(g[j], f - y, x)
    if verdict == "local-minimum":
        pos = first_nonzero(g)
        if pos is not None:
            raise CertificateError("claim.verdict", f"'local-minimum' but G_{pos[0]} is non-zero at entry {pos[1]}")
        log.append("c local minimum: A^T (A R - y) = 0 with R_j = z_j w_j")
        return
    moving = [(j, "w_j . G_j") for j in range(k) if dot(w[j], g[j])]
    moving += [(j, "z_j G_j") for j in range(k) if z[j] and any(g[j])]
    if verdict == "saddle":
        if moving:
            j, what = moving[0]
            raise CertificateError("claim.verdict", f"'saddle' but the gradient is non-zero: {what} != 0 for j = {j}")
        log.append("c stationary: w_j . G_j = 0 and z_j G_j = 0 for every j")
        log.append(check_curve(cert["descent"], "descent", z, w, inst, loss, descent=True))
        log.append(check_curve(cert["ascent"], "ascent", z, w, inst, loss, descent=False))
        return
    if not moving:
        raise CertificateError("claim.verdict", "'not-stationary' but the gradient of L in (z, w) is zero")
    log.append(f"c not stationary: {moving[0][1]} != 0 for j = {moving[0][0]}")
    log.append(check_curve(cert["descent"], "descent", z, w, inst, loss, descent=True))
