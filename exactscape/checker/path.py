"""Kind ``path`` (FORMAT.md 11, new in 1.2): the exact loss along a segment.

From the instance and the two endpoints alone the checker recomputes the
breakpoints t = -alpha/beta in (0, 1) of every pre-activation
alpha + t beta, the activation pattern of every piece (at its midpoint) and
the piece's loss polynomial, and compares them with the claim. Trends,
monotonicity and the bounds on the minimum and maximum are decided by
:func:`sturm.weak_sign`; a non-monotone claim also carries two pairs of
rational t, at which the loss is evaluated directly from the network.
"""

from fractions import Fraction

from . import poly
from .envelope import Instance, minor_version, parse_instance, require_1_2
from .errors import CertificateError
from .fields import array, at, item, matrix, record, vector
from .linalg import dot
from .numbers import integer, rational, show
from .point import loss_at
from .sturm import derivative, evaluate, odd_part, roots_in_open, weak_sign

TRENDS = ("increasing", "decreasing", "constant", "mixed")
MONOTONE = ("increasing", "decreasing", "non-increasing", "non-decreasing", "constant", "no")


def _weights(value: object, path: str, d: int) -> tuple[list[Fraction], list[list[Fraction]]]:
    fields = record(value, path, ("z", "w"))
    k = len(array(fields["z"], at(path, "z"), min_length=1))
    return vector(fields["z"], at(path, "z"), k), matrix(fields["w"], at(path, "w"), k, d)


def loss_at_t(
    t: Fraction,
    z0: list[Fraction],
    w0: list[list[Fraction]],
    z1: list[Fraction],
    w1: list[list[Fraction]],
    inst: Instance,
) -> Fraction:
    """L(W(t)) evaluated directly from the network at W(t) = (1 - t) W0 + t W1."""
    z = [(1 - t) * a + t * b for a, b in zip(z0, z1, strict=True)]
    w = [[(1 - t) * a + t * b for a, b in zip(r0, r1, strict=True)] for r0, r1 in zip(w0, w1, strict=True)]
    pre = [[dot(wj, x) for x in inst.xs] for wj in w]
    return loss_at(z, pre, inst)[1]


def _pieces(
    z0: list[Fraction], w0: list[list[Fraction]], z1: list[Fraction], w1: list[list[Fraction]], inst: Instance
) -> tuple[list[Fraction], list[poly.Poly]]:
    """Breakpoints and the loss polynomial of every piece."""
    k = len(z0)
    alpha = [[dot(w, x) for x in inst.xs] for w in w0]
    beta = [
        [dot([b - a for a, b in zip(r0, r1, strict=True)], x) for x in inst.xs] for r0, r1 in zip(w0, w1, strict=True)
    ]
    cuts = set()
    for j in range(k):
        for i in range(inst.n):
            if beta[j][i]:
                t = -alpha[j][i] / beta[j][i]
                if 0 < t < 1:
                    cuts.add(t)
    bps = sorted(cuts)
    ends = [Fraction(0), *bps, Fraction(1)]
    polys = []
    for lo, hi in zip(ends, ends[1:], strict=False):
        mid = (lo + hi) / 2
        total: poly.Poly = []
        for i in range(inst.n):
            out: poly.Poly = poly.const(-inst.y[i])
            for j in range(k):
                if alpha[j][i] + mid * beta[j][i] > 0:
                    zt = poly.trim([z0[j], z1[j] - z0[j]])
                    pre = poly.trim([alpha[j][i], beta[j][i]])
                    out = poly.add(out, poly.mul(zt, pre))
            total = poly.add(total, poly.mul(out, out))
        polys.append(poly.scale(Fraction(1, inst.n), total))
    return bps, polys


def _trend(p: poly.Poly, lo: Fraction, hi: Fraction) -> str:
    s = weak_sign(derivative(p), lo, hi)
    return {1: "increasing", -1: "decreasing", 0: "constant", None: "mixed"}[s]


def _aggregate(trends: list[str]) -> str:
    s = set(trends)
    if "mixed" in s or {"increasing", "decreasing"} <= s:
        return "no"
    if s == {"constant"}:
        return "constant"
    if s <= {"increasing", "constant"}:
        return "increasing" if s == {"increasing"} else "non-decreasing"
    return "decreasing" if s == {"decreasing"} else "non-increasing"


def _unit(value: object, path: str) -> Fraction:
    t = rational(value, path)
    if not 0 <= t <= 1:
        raise CertificateError(path, f"t = {show(t)} is outside [0, 1]")
    return t


Segment = tuple[list[Fraction], list[list[Fraction]], list[Fraction], list[list[Fraction]]]
"""(z0, w0, z1, w1): the ends W0 and W1 of the segment."""


def check_breakpoints(claim: dict[str, object], bps: list[Fraction]) -> None:
    """FORMAT 11.2 (1): the claimed breakpoints are exactly the t in (0, 1) where a
    pre-activation alpha_ji + t beta_ji changes sign, increasing, without repetition."""
    claimed_bps = [
        rational(v, item("claim.breakpoints", n))
        for n, v in enumerate(array(claim["breakpoints"], "claim.breakpoints"))
    ]
    if claimed_bps != bps:
        raise CertificateError(
            "claim.breakpoints",
            f"claimed {len(claimed_bps)} breakpoints, derived {len(bps)}: " + ", ".join(map(show, bps[:5])),
        )


def check_pieces(claim: dict[str, object], polys: list[poly.Poly], ends: list[Fraction]) -> list[str]:
    """FORMAT 11.2 (2) and (3): every piece's coefficients are the loss polynomial L_k
    and its trend is read from weak_sign(L_k') on the piece. Returns the trends."""
    pieces = array(claim["pieces"], "claim.pieces", len(polys))
    trends = []
    for n, (entry, p) in enumerate(zip(pieces, polys, strict=True)):
        path = item("claim.pieces", n)
        fields = record(entry, path, ("coefficients", "trend"))
        coefs = array(fields["coefficients"], at(path, "coefficients"))
        given = [rational(c, item(at(path, "coefficients"), m)) for m, c in enumerate(coefs)]
        if given != p:
            raise CertificateError(at(path, "coefficients"), "differ from the loss polynomial derived on this piece")
        trend = _trend(p, ends[n], ends[n + 1])
        if fields["trend"] != trend:
            raise CertificateError(at(path, "trend"), f"claimed {fields['trend']!r}, derived {trend!r}")
        trends.append(trend)
    return trends


def check_monotone(
    cert: dict[str, object], claim: dict[str, object], trends: list[str], seg: Segment, inst: Instance
) -> list[str]:
    """FORMAT 11.2 (4): ``monotone`` follows from the trends; for ``"no"`` the witness
    pairs rise and fall, the losses evaluated directly from the network."""
    mono = _aggregate(trends)
    if claim["monotone"] != mono:
        raise CertificateError("claim.monotone", f"claimed {claim['monotone']!r}, derived {mono!r}")
    out = [f"c trends per piece: {', '.join(trends)}; along the path: {mono}"]
    if mono == "no":
        if "witness" not in cert:
            raise CertificateError("", "missing field 'witness' (required when monotone is 'no')")
        wit = record(cert["witness"], "witness", ("up", "down"))
        for name, rises in (("up", True), ("down", False)):
            pair = array(wit[name], at("witness", name), 2)
            s, u = (_unit(v, item(at("witness", name), m)) for m, v in enumerate(pair))
            if not s < u:
                raise CertificateError(at("witness", name), "needs t_1 < t_2")
            ls, lu = loss_at_t(s, *seg, inst), loss_at_t(u, *seg, inst)
            if (ls < lu) != rises or ls == lu:
                raise CertificateError(at("witness", name), f"L({show(s)}) = {show(ls)}, L({show(u)}) = {show(lu)}")
        out.append("c not monotone: the loss rises between the 'up' pair and falls between the 'down' pair")
    elif "witness" in cert:
        raise CertificateError("witness", "only allowed when monotone is 'no'")
    return out


def check_extremes(
    claim: dict[str, object],
    polys: list[poly.Poly],
    ends: list[Fraction],
    seg: Segment,
    inst: Instance,
    new: bool = False,
) -> list[str]:
    """FORMAT 11.2 (5): ``value`` = L(t) evaluated directly, and the bound holds on every
    closed piece (weak_sign of L_k - lower, resp. upper - L_k, is +1 or 0)."""
    out = []
    for name, bound_name, sign in (("minimum", "lower", 1), ("maximum", "upper", -1)):
        fields = record(claim[name], at("claim", name), ("t", "value", bound_name), ("location",) if new else ())
        t = _unit(fields["t"], at(at("claim", name), "t"))
        value = rational(fields["value"], at(at("claim", name), "value"))
        bound = rational(fields[bound_name], at(at("claim", name), bound_name))
        direct = loss_at_t(t, *seg, inst)
        if direct != value:
            raise CertificateError(at(at("claim", name), "value"), f"claimed {show(value)}, L(t) = {show(direct)}")
        if sign * (value - bound) < 0:
            raise CertificateError(at(at("claim", name), bound_name), "on the wrong side of the value")
        for n, p in enumerate(polys):
            side = weak_sign(poly.scale(Fraction(sign), poly.sub(p, poly.const(bound))), ends[n], ends[n + 1])
            if side not in (0, 1):
                raise CertificateError(at(at("claim", name), bound_name), f"L crosses {show(bound)} on piece {n}")
        exact = "exactly" if bound == value else f"within [{show(min(bound, value))}, {show(max(bound, value))}]"
        out.append(f"c {name} of L on [0, 1]: {exact} (attained value {show(value)} at t = {show(t)})")
        if "location" in fields:
            out.append(check_location(fields["location"], at(at("claim", name), "location"), name, sign, polys, ends))
    return out


def check_location(value: object, path: str, name: str, sign: int, polys: list[poly.Poly], ends: list[Fraction]) -> str:
    """FORMAT 11.2 (6), new in 1.3: ``{"piece": k, "interval": [a, b]}`` with
    t_k <= a < b <= t_(k+1). With P = sign * L_k and q = P': q(a) < 0 < q(b) and the odd
    part of q has exactly one root r in (a, b), so P falls strictly on [a, r] and rises
    strictly on [r, b]; and P_j >= c = min(P(a), P(b)) > P(r) on every piece outside (a, b)
    (weak_sign). So the extremum of L on [0, 1] is attained at r only."""
    fields = record(value, path, ("piece", "interval"))
    k = integer(fields["piece"], at(path, "piece"), 0, len(polys) - 1)
    ends_ab = array(fields["interval"], at(path, "interval"), 2)
    a = rational(ends_ab[0], item(at(path, "interval"), 0))
    b = rational(ends_ab[1], item(at(path, "interval"), 1))
    if not ends[k] <= a < b <= ends[k + 1]:
        raise CertificateError(at(path, "interval"), f"not a sub-interval of piece {k}")
    P = poly.scale(Fraction(sign), polys[k])
    q = derivative(P)
    if not (evaluate(q, a) < 0 < evaluate(q, b)):
        raise CertificateError(at(path, "interval"), f"L' does not change sign from the {name}'s side across it")
    if not q or roots_in_open(odd_part(q), a, b) != 1:
        raise CertificateError(at(path, "interval"), "L' does not change sign exactly once inside")
    c = min(evaluate(P, a), evaluate(P, b))
    for j, pj in enumerate(polys):
        parts = [(ends[j], ends[j + 1])] if j != k else [(ends[k], a), (b, ends[k + 1])]
        for lo, hi in parts:
            if lo < hi:
                side = weak_sign(poly.sub(poly.scale(Fraction(sign), pj), poly.const(c)), lo, hi)
                if side not in (0, 1):
                    raise CertificateError(path, f"on piece {j} L comes as close as the {name} outside the interval")
    return (
        f"c {name} location: attained only at the root of L_{k}' in ({show(a)}, {show(b)}) "
        "(one sign change there, L beyond its ends elsewhere)"
    )


def check_path(cert: dict[str, object], log: list[str]) -> None:
    """Run the checks of FORMAT.md 11.2 in order, appending ``c`` lines to ``log``."""
    require_1_2(cert, "kind 'path'", "kind")
    record(cert, "", ("format", "version", "kind", "instance", "claim", "from", "to"), ("witness",))
    inst = parse_instance(cert["instance"], "instance")
    log.append(inst.summary())
    z0, w0 = _weights(cert["from"], "from", inst.d)
    z1, w1 = _weights(cert["to"], "to", inst.d)
    if len(z0) != len(z1):
        raise CertificateError("to.z", f"{len(z1)} neurons, 'from' has {len(z0)}")
    seg = (z0, w0, z1, w1)
    claim = record(cert["claim"], "claim", ("breakpoints", "pieces", "monotone", "minimum", "maximum"))
    bps, polys = _pieces(z0, w0, z1, w1, inst)
    check_breakpoints(claim, bps)
    log.append(f"c path: K = {len(z0)}, {len(bps)} breakpoints, {len(polys)} pieces")
    ends = [Fraction(0), *bps, Fraction(1)]
    trends = check_pieces(claim, polys, ends)
    log.extend(check_monotone(cert, claim, trends, seg, inst))
    log.extend(check_extremes(claim, polys, ends, seg, inst, minor_version(cert) >= 3))
