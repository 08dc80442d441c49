"""Kind ``point``: what a given point (z, w) is (FORMAT.md 5).

The loss at the point is re-computed [1]; the set H of (neuron, sample) pairs
on a hyperplane decides ``not-covered``; otherwise the point is strictly
inside a cell and the per-neuron vectors G_j = sum_i I[i][j] e_i x_i decide
stationarity (Lemma 1, [10-11]; the gradient of L in (z_j, w_j) is, up to
2/N, (w_j . G_j, z_j G_j)). Saddles and non-stationary points carry curves
(5.3, :mod:`curves`) on which L(t) - L(0) is an exact polynomial for small
t > 0; points on one hyperplane follow 5.4 (:mod:`hyperplane`).
"""

from fractions import Fraction

from .curves import check_curve
from .envelope import Instance, parse_instance
from .errors import CertificateError
from .fields import array, item, matrix, record, vector
from .hyperplane import check_point_on_hyperplane, not_covered_because
from .linalg import ZERO, Blocks, common_denominator, dot, first_nonzero
from .local import check_bound, check_local, require_1_3
from .numbers import clip, describe, integer, rational, show

BASE_FIELDS = ("format", "version", "kind", "instance", "claim", "weights")
EVIDENCE: dict[str, tuple[tuple[str, ...], ...]] = {
    "not-covered": (("on_hyperplanes",),),
    "local-minimum": ((),),
    "saddle": (("descent", "ascent"),),
    "not-stationary": (("descent",),),
    # new in 1.1 (FORMAT.md 5.4); `bound` and `local` new in 1.3 (5.5)
    "non-differentiable-local-minimum": (("kkt",), ("bound",), ("local",)),
    "not-a-local-minimum": (("descent",),),  # new in 1.1
}
"""For every verdict, the alternative sets of evidence fields it accepts: exactly one set
must be present, every other evidence field absent."""
OPTIONAL = ("on_hyperplanes", "descent", "ascent", "kkt", "bound", "local")


def _integers(values: list[Fraction]) -> tuple[list[int], int]:
    """values = nums / den with one common denominator den > 0."""
    den = common_denominator(values)
    return [v.numerator * (den // v.denominator) for v in values], den


def products(
    z: list[Fraction], w: Blocks, inst: Instance
) -> tuple[list[list[int]], list[int], list[Fraction], Fraction]:
    """w_j . x_i = nums[j][i] / dens[j] (dens[j] > 0), the outputs f(x_i) = sum_j z_j [w_j . x_i]_+
    and the loss L [1] (as :func:`loss_at`), summed in integers on common denominators."""
    rows = [_integers(list(x)) for x in inst.xs]
    xden = common_denominator([Fraction(1, den) for _, den in rows])
    xz = [[v * (xden // den) for v in nums] for nums, den in rows]
    nums, dens = [], []
    for wj in w:
        wz, wden = _integers(wj)
        nz = [(pos, a) for pos, a in enumerate(wz) if a]
        nums.append([sum(a * x[pos] for pos, a in nz) for x in xz])
        dens.append(wden * xden)
    # f_i = sum_j z_j nums[j][i] / dens[j] over nums[j][i] > 0, on the common denominator big
    big = common_denominator([Fraction(1, zj.denominator * den) for zj, den in zip(z, dens, strict=True)])
    scale = [zj.numerator * (big // (zj.denominator * den)) for zj, den in zip(z, dens, strict=True)]
    outputs = [
        Fraction(sum(c * row[i] for c, row in zip(scale, nums, strict=True) if row[i] > 0), big) for i in range(inst.n)
    ]
    loss = sum(((f - y) ** 2 for f, y in zip(outputs, inst.y, strict=True)), ZERO) / inst.n
    return nums, dens, outputs, loss


def loss_at(z: list[Fraction], pre: list[list[Fraction]], inst: Instance) -> tuple[list[Fraction], Fraction]:
    """FORMAT 5.2 (2): network outputs f(x_i) = sum_j z_j [w_j . x_i]_+ and the loss L [1].

    ``pre[j][i]`` is w_j . x_i.
    """
    outputs = [sum((zj * row[i] for zj, row in zip(z, pre, strict=True) if row[i] > 0), ZERO) for i in range(inst.n)]
    loss = sum(((f - y) ** 2 for f, y in zip(outputs, inst.y, strict=True)), ZERO) / inst.n
    return outputs, loss


def _hyperplanes(value: object, path: str, k: int, n: int) -> list[tuple[int, int]]:
    """The ``on_hyperplanes`` list of [j, i] pairs."""
    out = []
    for m, entry in enumerate(array(value, path)):
        e_path = item(path, m)
        pair = array(entry, e_path, 2)
        out.append((integer(pair[0], item(e_path, 0), 0, k - 1), integer(pair[1], item(e_path, 1), 0, n - 1)))
    return out


def check_verdict_fields(cert: dict[str, object]) -> str:
    """FORMAT 5.2 (1): a known verdict, and exactly the evidence fields it requires
    (for ``non-differentiable-local-minimum`` one of ``kkt``, ``bound``, ``local``)."""
    claim = record(cert["claim"], "claim", ("verdict", "loss"))
    verdict = claim["verdict"]
    if not isinstance(verdict, str) or verdict not in EVIDENCE:
        raise CertificateError("claim.verdict", f"unknown verdict {describe(verdict)}")
    options = EVIDENCE[verdict]
    chosen = next((o for o in options if any(name in cert for name in o)), options[0])
    for name in OPTIONAL:
        if name in chosen and name not in cert:
            raise CertificateError("", f"missing field {name!r} (required for verdict {verdict!r})")
        if name not in chosen and name in cert:
            raise CertificateError(name, f"not allowed for verdict {verdict!r}")
    return verdict


def check_not_covered(cert: dict[str, object], on: list[tuple[int, int]], k: int, n: int) -> str:
    """FORMAT 5.2 (3): H is non-empty and equals ``on_hyperplanes``."""
    listed = _hyperplanes(cert["on_hyperplanes"], "on_hyperplanes", k, n)
    if not on:
        raise CertificateError("claim.verdict", "'not-covered' but no w_j . x_i is zero (the point is inside a cell)")
    if listed != on:
        shown, derived = (clip(str([list(p) for p in pairs])) for pairs in (listed, on))
        raise CertificateError("on_hyperplanes", f"lists {shown}, derived {derived}")
    return f"c not covered: {len(on)} pairs (j, i) with w_j . x_i = 0"


def gradient_blocks(outputs: list[Fraction], pre: list[list[Fraction]] | list[list[int]], inst: Instance) -> Blocks:
    """G_j = sum_i I[i][j] e_i x_i with e_i = f(x_i) - y_i and I[i][j] = [w_j . x_i > 0]."""
    e, eden = _integers([f - y for f, y in zip(outputs, inst.y, strict=True)])
    rows = [_integers(list(x)) for x in inst.xs]
    xden = common_denominator([Fraction(1, den) for _, den in rows])
    xz = [[v * (xden // den) for v in nums] for nums, den in rows]
    g: Blocks = []
    for row in pre:
        acc = [0] * inst.d
        for i, x in enumerate(xz):
            if row[i] > 0 and e[i]:
                ei = e[i]
                for pos, b in enumerate(x):
                    if b:
                        acc[pos] += ei * b
        g.append([Fraction(v, eden * xden) for v in acc])
    return g


def check_inside_a_cell(
    cert: dict[str, object], verdict: str, z: list[Fraction], w: Blocks, g: Blocks, inst: Instance, loss: Fraction
) -> list[str]:
    """FORMAT 5.2 (4): H is empty; ``local-minimum`` iff every G_j = 0; ``saddle``:
    w_j . G_j = 0 and z_j G_j = 0 for every j, a descent and an ascent curve;
    ``not-stationary``: some w_j . G_j or z_j G_j non-zero, and a descent curve."""
    k = len(z)
    if verdict == "local-minimum":
        pos = first_nonzero(g)
        if pos is not None:
            raise CertificateError("claim.verdict", f"'local-minimum' but G_{pos[0]} is non-zero at entry {pos[1]}")
        return ["c local minimum: A^T (A R - y) = 0 with R_j = z_j w_j"]
    moving = [(j, "w_j . G_j") for j in range(k) if dot(w[j], g[j])]
    moving += [(j, "z_j G_j") for j in range(k) if z[j] and any(g[j])]
    if verdict == "saddle":
        if moving:
            j, what = moving[0]
            raise CertificateError("claim.verdict", f"'saddle' but the gradient is non-zero: {what} != 0 for j = {j}")
        return [
            "c stationary: w_j . G_j = 0 and z_j G_j = 0 for every j",
            check_curve(cert["descent"], "descent", z, w, inst, loss, descent=True),
            check_curve(cert["ascent"], "ascent", z, w, inst, loss, descent=False),
        ]
    if not moving:
        raise CertificateError("claim.verdict", "'not-stationary' but the gradient of L in (z, w) is zero")
    return [
        f"c not stationary: {moving[0][1]} != 0 for j = {moving[0][0]}",
        check_curve(cert["descent"], "descent", z, w, inst, loss, descent=True),
    ]


def check_anywhere(
    cert: dict[str, object],
    verdict: str,
    z: list[Fraction],
    w: Blocks,
    pre: list[list[Fraction]],
    outputs: list[Fraction],
    inst: Instance,
    loss: Fraction,
) -> str:
    """FORMAT 5.5 (new in 1.3): a point with H non-empty, anywhere: ``not-a-local-minimum``
    with a descent curve, or ``non-differentiable-local-minimum`` with ``bound`` or ``local``."""
    if "bound" in cert:
        require_1_3(cert, "evidence 'bound'", "bound")
        return check_bound(cert["bound"], inst, loss)
    if "local" in cert:
        require_1_3(cert, "evidence 'local'", "local")
        return check_local(cert["local"], inst, z, w, pre, outputs)
    require_1_3(cert, "'not-a-local-minimum' at a point outside Theorem 3 (5.4)", "claim.verdict")
    return check_curve(cert["descent"], "descent", z, w, inst, loss, descent=True)


def check_point(cert: dict[str, object], log: list[str]) -> None:
    """Run the checks of FORMAT.md 5.2 in order, appending ``c`` lines to ``log``."""
    record(cert, "", BASE_FIELDS, OPTIONAL)
    inst = parse_instance(cert["instance"], "instance")
    verdict = check_verdict_fields(cert)
    claimed_loss = rational(record(cert["claim"], "claim", ("verdict", "loss"))["loss"], "claim.loss")
    log.append(inst.summary())

    weights = record(cert["weights"], "weights", ("z", "w"))
    k = len(array(weights["z"], "weights.z", min_length=1))
    z = vector(weights["z"], "weights.z", k)
    w = matrix(weights["w"], "weights.w", k, inst.d)
    nums, dens, outputs, loss = products(z, w, inst)
    if claimed_loss != loss:
        raise CertificateError("claim.loss", f"claimed {show(claimed_loss)}, derived {show(loss)}")
    log.append(f"c point: K = {k}, loss {show(loss)}")

    on = [(j, i) for j in range(k) for i in range(inst.n) if not nums[j][i]]
    if (
        on
        and verdict != "not-covered"
        and (
            "bound" in cert
            or "local" in cert
            or (verdict == "not-a-local-minimum" and not_covered_because(z, inst, on))
        )
    ):
        pre = [[Fraction(v, den) for v in row] for row, den in zip(nums, dens, strict=True)]
        log.append(check_anywhere(cert, verdict, z, w, pre, outputs, inst, loss))
        return
    if verdict in ("non-differentiable-local-minimum", "not-a-local-minimum") or (on and verdict == "not-covered"):
        pre = [[Fraction(v, den) for v in row] for row, den in zip(nums, dens, strict=True)]
        log.append(check_point_on_hyperplane(cert, verdict, z, w, pre, inst, loss, on))
        if verdict != "not-covered":
            return
    if verdict == "not-covered":
        log.append(check_not_covered(cert, on, k, inst.n))
        return
    if on:
        j, i = on[0]
        raise CertificateError(
            "claim.verdict", f"{verdict!r} but w_{j} . x_{i} = 0 (the verdict must be 'not-covered')"
        )
    # gradient_blocks reads only the signs of w_j . x_i (dens[j] > 0: those of nums[j][i])
    log.extend(check_inside_a_cell(cert, verdict, z, w, gradient_blocks(outputs, nums, inst), inst, loss))
