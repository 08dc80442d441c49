"""Kind ``spurious`` (FORMAT.md 12, new in 1.2): a local minimum built from the
best affine fit, and a point of strictly lower loss.

The affine fit a is checked by the normal equations X^T (X a - y) = 0, so
p = X a and L* = (1/N)||p - y||^2 are the best affine fit and its loss. The
constructed point must have every neuron active on every sample and
G_j = sum_i e_i x_i = 0 (the local-minimum rule of 5.2); the lower point's
loss is recomputed directly from the network. Not-applicable verdicts carry
the exact reason (12.2 check 4).
"""

from fractions import Fraction

from .cones import check_empty_cone
from .envelope import Instance, parse_instance, require_1_2
from .errors import CertificateError
from .fields import array, at, item, matrix, record, vector
from .linalg import ZERO, add_scaled, dot, first_nonzero
from .numbers import integer, rational, show
from .point import gradient_blocks, loss_at

VERDICTS = ("spurious", "undecided", "not-applicable")
REASONS = ("affine-fit-exact", "affine-fit-optimal", "no-all-active-cell", "one-neuron-sign-change")
EVIDENCE = {
    "spurious": ("minimum", "lower"),
    "undecided": ("minimum",),
    "affine-fit-exact": (),
    "affine-fit-optimal": (),
    "no-all-active-cell": ("multipliers",),
    "one-neuron-sign-change": ("samples",),
}
OPTIONAL = ("minimum", "lower", "multipliers", "samples")


def _point(
    value: object, path: str, k: int, inst: Instance
) -> tuple[list[Fraction], list[list[Fraction]], list[list[Fraction]]]:
    fields = record(value, path, ("z", "w"))
    z = vector(fields["z"], at(path, "z"), k)
    w = matrix(fields["w"], at(path, "w"), k, inst.d)
    return z, w, [[dot(wj, x) for x in inst.xs] for wj in w]


def _gradient_blocks(
    z: list[Fraction], pre: list[list[Fraction]], inst: Instance
) -> tuple[list[list[Fraction]], Fraction]:
    """G_j = sum_i I[i][j] e_i x_i and the loss (FORMAT.md 5.2)."""
    outputs, loss = loss_at(z, pre, inst)
    return gradient_blocks(outputs, pre, inst), loss


def branch_vectors(k: int, p: list[Fraction]) -> int:
    """The count of FORMAT.md 12.3."""
    n: int = pow(3, k) - pow(2, k + 1) + 1
    if all(v > 0 for v in p):
        n += pow(2, k) - 1
    if all(v < 0 for v in p):
        n += pow(2, k) - 1
    if all(v == 0 for v in p):
        n += 1
    return n


def check_claim_fields(cert: dict[str, object]) -> tuple[dict[str, object], str, str | None, int]:
    """FORMAT 12.1: the claim's verdict and reason, K, and exactly the evidence fields
    the verdict (or the reason) needs. Returns (claim, verdict, reason, K)."""
    claim = record(
        cert["claim"],
        "claim",
        ("verdict", "reason", "neurons", "loss", "branches", "branch_vectors", "lower_loss", "lower_minimum"),
    )
    verdict = claim["verdict"]
    if not isinstance(verdict, str) or verdict not in VERDICTS:
        raise CertificateError("claim.verdict", f"expected one of {', '.join(VERDICTS)}")
    reason = claim["reason"]
    if verdict == "not-applicable":
        if not isinstance(reason, str) or reason not in REASONS:
            raise CertificateError("claim.reason", f"expected one of {', '.join(REASONS)}")
    elif reason is not None:
        raise CertificateError("claim.reason", "must be null unless the verdict is 'not-applicable'")
    k = integer(claim["neurons"], "claim.neurons", 1, 10**6)
    wanted = EVIDENCE[verdict if verdict != "not-applicable" else str(reason)]
    for name in OPTIONAL:
        if (name in cert) != (name in wanted):
            raise CertificateError(
                name if name in cert else "", f"field {name!r} {'not allowed' if name in cert else 'missing'} here"
            )
    return claim, verdict, reason if isinstance(reason, str) else None, k


def check_affine_fit(
    cert: dict[str, object], claim: dict[str, object], inst: Instance
) -> tuple[list[Fraction], list[Fraction], Fraction]:
    """FORMAT 12.2 (1): X^T (X a - y) = 0 and ``claim.loss`` = L*. Returns (p, e, L*)."""
    a = vector(cert["fit"], "fit", inst.d)
    p = [dot(a, x) for x in inst.xs]
    e = [pi - yi for pi, yi in zip(p, inst.y, strict=True)]
    normal = [ZERO] * inst.d
    for x, ei in zip(inst.xs, e, strict=True):
        add_scaled(normal, ei, x)
    if any(normal):
        raise CertificateError("fit", "X^T (X a - y) != 0: not a least-squares affine fit")
    loss = sum((v * v for v in e), ZERO) / inst.n
    if rational(claim["loss"], "claim.loss") != loss:
        raise CertificateError("claim.loss", f"derived {show(loss)}")
    return p, e, loss


def check_constructed_minimum(
    cert: dict[str, object], claim: dict[str, object], inst: Instance, k: int, p: list[Fraction], loss: Fraction
) -> list[str]:
    """FORMAT 12.2 (2): all neurons active on all samples, every G_j = 0, loss L*; the
    branches and the number of branch vectors of 12.3 as claimed."""
    z, _, pre = _point(cert["minimum"], "minimum", k, inst)
    if any(v <= 0 for row in pre for v in row):
        raise CertificateError("minimum.w", "some neuron is not active on every sample (w_j . x_i <= 0)")
    g, at_min = _gradient_blocks(z, pre, inst)
    pos = first_nonzero(g)
    if pos is not None:
        raise CertificateError("minimum", f"not a local minimum: G_{pos[0]} is non-zero at entry {pos[1]}")
    if at_min != loss:
        raise CertificateError("minimum", f"loss {show(at_min)} differs from L*")
    branches = ["+" if v > 0 else "-" if v < 0 else "0" for v in z]
    if claim["branches"] != branches:
        raise CertificateError("claim.branches", f"derived {''.join(branches)}")
    count = branch_vectors(k, p)
    if claim["branch_vectors"] != count or isinstance(claim["branch_vectors"], bool):
        raise CertificateError("claim.branch_vectors", f"derived {count}")
    return [
        f"c all-active local minimum: branches {''.join(branches)}, A^T (A R - y) = 0, loss L*",
        f"c branch vectors with an all-active minimum: {count}",
    ]


def check_lower_point(
    cert: dict[str, object], claim: dict[str, object], inst: Instance, k: int, loss: Fraction
) -> list[str]:
    """FORMAT 12.2 (3), ``spurious``: the lower point's loss, evaluated directly, is as
    claimed and < L*; if ``lower_minimum``, it is strictly inside a cell with every G_j = 0."""
    z2, _, pre2 = _point(cert["lower"], "lower", k, inst)
    g2, low = _gradient_blocks(z2, pre2, inst)
    if rational(claim["lower_loss"], "claim.lower_loss") != low:
        raise CertificateError("claim.lower_loss", f"derived {show(low)}")
    if not low < loss:
        raise CertificateError("claim.lower_loss", f"{show(low)} is not below L* = {show(loss)}")
    out = [f"c lower point: loss {show(low)} < L*: the constructed minimum is spurious"]
    is_min = claim["lower_minimum"]
    if not isinstance(is_min, bool):
        raise CertificateError("claim.lower_minimum", "expected true or false")
    if is_min:
        if any(v == 0 for row in pre2 for v in row):
            raise CertificateError("lower.w", "a pre-activation is zero: not strictly inside a cell")
        pos = first_nonzero(g2)
        if pos is not None:
            raise CertificateError("claim.lower_minimum", f"G_{pos[0]} is non-zero at entry {pos[1]}")
        out.append("c the lower point is itself a local minimum (A^T (A R - y) = 0 inside its cell)")
    return out


def check_spurious(cert: dict[str, object], log: list[str]) -> None:
    """Run the checks of FORMAT.md 12.2 in order, appending ``c`` lines to ``log``."""
    require_1_2(cert, "kind 'spurious'", "kind")
    record(cert, "", ("format", "version", "kind", "instance", "claim", "fit"), OPTIONAL)
    inst = parse_instance(cert["instance"], "instance")
    log.append(inst.summary())
    claim, verdict, reason, k = check_claim_fields(cert)
    p, e, loss = check_affine_fit(cert, claim, inst)
    log.append(f"c best affine fit: X^T (X a - y) = 0, loss L* = {show(loss)}")
    if verdict == "not-applicable":
        for name in ("branches", "branch_vectors", "lower_loss"):
            if claim[name] is not None:
                raise CertificateError(at("claim", name), "must be null for 'not-applicable'")
        if claim["lower_minimum"] is not False:
            raise CertificateError("claim.lower_minimum", "must be false for 'not-applicable'")
        _check_reason(str(reason), cert, inst, k, p, e)
        return
    log.extend(check_constructed_minimum(cert, claim, inst, k, p, loss))
    if verdict == "undecided":
        if claim["lower_loss"] is not None or claim["lower_minimum"] is not False:
            raise CertificateError("claim.lower_loss", "must be null (and lower_minimum false) when undecided")
        log.append("c no lower point given: undecided")
        return
    log.extend(check_lower_point(cert, claim, inst, k, loss))


def _check_reason(
    reason: str, cert: dict[str, object], inst: Instance, k: int, p: list[Fraction], e: list[Fraction]
) -> None:
    """FORMAT 12.2 (4), ``not-applicable``: the evidence of the reason."""
    if reason == "affine-fit-exact":
        if any(e):
            raise CertificateError("claim.reason", "the affine fit is not exact")
        return
    if reason == "affine-fit-optimal":
        groups: dict[tuple[Fraction, ...], Fraction] = {}
        for x, v in zip(inst.xs, e, strict=True):
            groups[tuple(x)] = groups.get(tuple(x), ZERO) + v
        if any(groups.values()):
            raise CertificateError("claim.reason", "some group of identical samples has a non-zero residual sum")
        if not any(e):
            raise CertificateError("claim.reason", "the fit is exact: the reason is 'affine-fit-exact'")
        return
    if reason == "no-all-active-cell":
        check_empty_cone(cert["multipliers"], "multipliers", inst.xs, [1] * inst.n)
        return
    pair = array(cert["samples"], "samples", 2)
    i, n = (integer(v, item("samples", m), 0, inst.n - 1) for m, v in enumerate(pair))
    if k != 1:
        raise CertificateError("claim.reason", "'one-neuron-sign-change' needs K = 1")
    if p[i] * p[n] > 0 or (p[i] == 0 and p[n] == 0):
        raise CertificateError("samples", "p_i p_k > 0, or both zero")
