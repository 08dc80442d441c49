"""The exact loss along a straight segment in weight space.

Along W(t) = (1 - t) W0 + t W1 (both z and w move), with dz = z1 - z0 and
dw = w1 - w0, every pre-activation is linear in t:
w_j(t) . x_i = alpha_ij + t beta_ij, alpha_ij = w0_j . x_i, beta_ij = dw_j . x_i.

* Breakpoints: the t in (0, 1) where some pre-activation changes sign,
  t = -alpha_ij / beta_ij with beta_ij != 0 (rational).
* Pieces: between consecutive breakpoints the activation pattern is fixed
  (read at the midpoint), f(x_i)(t) = sum_{j active} (z0_j + t dz_j)
  (alpha_ij + t beta_ij) has degree <= 2 and the loss
  L(t) = (1/N) sum_i (f(x_i)(t) - y_i)^2 degree <= 4; L is continuous on
  [0, 1] (the ReLU is continuous).
* Trend of a piece: the sign of q = L' on its open interval. The distinct real
  roots of q (square-free part by flint's gcd, rational roots exactly,
  irrational ones isolated by Sturm counts and bisection) cut the interval
  into root-free segments on each of which q has one sign, read at a rational
  point: "increasing" (q >= 0, not identically 0: strictly increasing),
  "decreasing", "constant" (q = 0) or "mixed".
* Minimum and maximum on [0, 1]: among the piece ends and the roots of each
  q. Rational candidates are evaluated exactly; an irrational root r in
  [lo, hi] (width <= 2^-20) has |L(r) - L(s)| <= B (hi - lo) at the midpoint
  s, B a bound of |L'| on [lo, hi]. Reported: the smallest exact value found
  at a rational point (``value`` at ``t``) and the smallest lower end of all
  candidates' enclosures (``lower``): min L lies in [lower, value], exactly
  equal when they coincide. The checker proves both bounds (FORMAT 11).

Complexity: O(N K) breakpoints, O(N K) per piece; the polynomial work is on
degree <= 4.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from fractions import Fraction
from math import gcd
from typing import Any

import flint

from ..core.model import Instance, Weights, dot
from ..core.numbers import fmt, fmt_vec
from ..errors import InputError

Poly = tuple[Fraction, ...]  # coefficients, constant first, no trailing zeros
ROOT_WIDTH = Fraction(1, 2**20)


def _fp(p: Poly) -> flint.fmpq_poly:
    return flint.fmpq_poly([flint.fmpq(c.numerator, c.denominator) for c in p])


def _fr(x: Any) -> Fraction:
    x = flint.fmpq(x)
    return Fraction(int(x.p), int(x.q))


def _tp(p: flint.fmpq_poly) -> Poly:
    return tuple(_fr(c) for c in p.coeffs())


def simplest(x: Fraction, y: Fraction) -> Fraction:
    """The rational of smallest denominator in [x, y] (x <= y), by continued fractions.

    >>> simplest(Fraction(1, 3), Fraction(2, 5))
    Fraction(1, 3)
    >>> simplest(Fraction(31, 100), Fraction(32, 100))
    Fraction(5, 16)
    """
    if x <= 0 <= y:
        return Fraction(0)
    if y < 0:
        return -simplest(-y, -x)
    fl = x.numerator // x.denominator
    if fl == x:
        return x
    if fl + 1 <= y:
        return Fraction(fl + 1)
    return fl + 1 / simplest(1 / (y - fl), 1 / (x - fl))


def inner(lo: Fraction, hi: Fraction) -> Fraction:
    """A short rational in the middle third of (lo, hi)."""
    third = (hi - lo) / 3
    return simplest(lo + third, hi - third)


def evaluate(p: Poly, t: Fraction) -> Fraction:
    """p(t) by Horner's rule."""
    acc = Fraction(0)
    for c in reversed(p):
        acc = acc * t + c
    return acc


def _trim(p: list[Fraction]) -> Poly:
    while p and p[-1] == 0:
        p.pop()
    return tuple(p)


def _mul(p: Poly, q: Poly) -> list[Fraction]:
    out = [Fraction(0)] * max(len(p) + len(q) - 1, 0)
    for a, x in enumerate(p):
        for b, y in enumerate(q):
            out[a + b] += x * y
    return out


@dataclass(frozen=True)
class Segment:
    """The straight segment W(t) = (1 - t) W0 + t W1 on an instance."""

    instance: Instance
    start: Weights
    end: Weights

    def __post_init__(self) -> None:
        self.start.check_against(self.instance)
        self.end.check_against(self.instance)
        if self.start.K != self.end.K:
            raise InputError(f"the endpoints have K = {self.start.K} and K = {self.end.K} neurons", field="end")

    @property
    def K(self) -> int:
        return self.start.K

    def pre(self) -> tuple[list[list[Fraction]], list[list[Fraction]]]:
        """alpha[j][i] = w0_j . x_i and beta[j][i] = (w1_j - w0_j) . x_i."""
        xs = self.instance.xs
        dw = [
            tuple(b - a for a, b in zip(r0, r1, strict=True)) for r0, r1 in zip(self.start.w, self.end.w, strict=True)
        ]
        alpha = [[dot(w, x) for x in xs] for w in self.start.w]
        beta = [[dot(w, x) for x in xs] for w in dw]
        return alpha, beta

    def at(self, t: Fraction) -> Weights:
        """W(t), exactly."""
        z = tuple((1 - t) * a + t * b for a, b in zip(self.start.z, self.end.z, strict=True))
        w = tuple(
            tuple((1 - t) * a + t * b for a, b in zip(r0, r1, strict=True))
            for r0, r1 in zip(self.start.w, self.end.w, strict=True)
        )
        return Weights(z, w)


def breakpoints(seg: Segment) -> list[Fraction]:
    """Sorted distinct t in (0, 1) with alpha_ij + t beta_ij = 0, beta_ij != 0."""
    alpha, beta = seg.pre()
    out = set()
    for arow, brow in zip(alpha, beta, strict=True):
        for a, b in zip(arow, brow, strict=True):
            if b != 0:
                t = -a / b
                if 0 < t < 1:
                    out.add(t)
    return sorted(out)


def piece_polynomial(seg: Segment, lo: Fraction, hi: Fraction) -> Poly:
    """N^-1 sum_i (f_i(t) - y_i)^2 with the pattern read at (lo + hi) / 2."""
    alpha, beta = seg.pre()
    mid = (lo + hi) / 2
    dz = [b - a for a, b in zip(seg.start.z, seg.end.z, strict=True)]
    total: list[Fraction] = []
    inst = seg.instance
    for i, y in enumerate(inst.y):
        f = [-y, Fraction(0), Fraction(0)]
        for j in range(seg.K):
            a, b = alpha[j][i], beta[j][i]
            if a + mid * b > 0:
                z0 = seg.start.z[j]
                f[0] += z0 * a
                f[1] += z0 * b + dz[j] * a
                f[2] += dz[j] * b
        sq = _mul(tuple(f), tuple(f))
        if len(sq) > len(total):
            total += [Fraction(0)] * (len(sq) - len(total))
        for k, c in enumerate(sq):
            total[k] += c
    return _trim([c / inst.N for c in total])


def derivative(p: Poly) -> Poly:
    return tuple(k * c for k, c in enumerate(p))[1:]


# ----------------------------------------------------------- real roots (flint)


def _sturm_count(seq: list[flint.fmpq_poly], a: Fraction, b: Fraction) -> int:
    """V(a) - V(b) for a Sturm sequence of a square-free polynomial with no root at a or b."""

    def changes(x: Fraction) -> int:
        fx = flint.fmpq(x.numerator, x.denominator)
        signs = [s for s in (_sign(_fr(p(fx))) for p in seq) if s]
        return sum(1 for u, v in zip(signs, signs[1:], strict=False) if u != v)

    return changes(a) - changes(b)


def _sign(x: Fraction) -> int:
    return (x > 0) - (x < 0)


def _sturm(p: flint.fmpq_poly) -> list[flint.fmpq_poly]:
    seq = [p, p.derivative()]
    while not seq[-1].is_zero() and seq[-1].degree() > 0:
        r = seq[-2] % seq[-1]
        if r.is_zero():
            break
        seq.append(-r)
    return seq


@dataclass(frozen=True)
class Root:
    """A real root of a piece's derivative: exactly ``value`` (rational), or the
    only root of the square-free ``poly`` in the open interval (lo, hi)."""

    value: Fraction | None
    lo: Fraction
    hi: Fraction
    poly: Poly

    @property
    def rational(self) -> bool:
        return self.value is not None


def real_roots(p: Poly, a: Fraction, b: Fraction) -> list[Root]:
    """The distinct real roots of p (not identically 0) in the open interval (a, b),
    in increasing order; irrational roots in disjoint rational intervals of width
    <= ROOT_WIDTH, strictly inside (a, b) and strictly apart."""
    fp = _fp(p)
    if fp.degree() <= 0:
        return []
    sqf = fp // fp.gcd(fp.derivative())
    out: list[Root] = []
    rest = sqf
    for r, _ in sqf.roots():
        rq = _fr(r)
        rest = rest // flint.fmpq_poly([-flint.fmpq(r), 1])
        if a < rq < b:
            out.append(Root(rq, rq, rq, _tp(sqf)))
    if rest.degree() > 0:
        seq = _sturm(rest)
        stack = [(a, b)]
        found: list[tuple[Fraction, Fraction]] = []
        while stack:
            lo, hi = stack.pop()
            n = _sturm_count(seq, lo, hi)
            if n == 0:
                continue
            if n == 1 and lo > a and hi < b:
                found.append((lo, hi))
                continue
            mid = inner(lo, hi)
            if _fr(rest(flint.fmpq(mid.numerator, mid.denominator))) == 0:  # pragma: no cover - no rational roots left
                raise InputError("internal: a rational root survived deflation")
            stack += [(lo, mid), (mid, hi)]
        rp = _tp(rest)
        for lo, hi in found:
            slo = _sign(evaluate(rp, lo))
            while hi - lo > ROOT_WIDTH:
                mid = inner(lo, hi)
                if _sign(evaluate(rp, mid)) == slo:
                    lo = mid
                else:
                    hi = mid
            out.append(Root(None, lo, hi, rp))
    out.sort(key=lambda r: r.lo)
    # rational roots and irrational intervals never overlap once refined; keep them strictly apart
    for k in range(len(out) - 1):
        if not out[k].hi < out[k + 1].lo:  # pragma: no cover - width 2^-20 separates degree <= 3 roots here
            raise InputError("internal: root intervals touch; refine further")
    return out


def _bound_second(p: Poly, lo: Fraction, hi: Fraction) -> Fraction:
    """B2 >= |p''(t)| on [lo, hi]: sum_k k (k - 1) |c_k| m^(k-2), m = max(|lo|, |hi|)."""
    m = max(abs(lo), abs(hi))
    return sum((k * (k - 1) * abs(c) * m ** (k - 2) for k, c in enumerate(p) if k >= 2), Fraction(0))


# ----------------------------------------------------------------- analysis


@dataclass(frozen=True)
class Piece:
    lo: Fraction
    hi: Fraction
    poly: Poly
    trend: str
    roots: tuple[Root, ...]


@dataclass(frozen=True)
class Extreme:
    """min (or max) L on [0, 1] lies in [lower, value] (or [value, upper]);
    ``value`` = L(t) at the rational ``t``; ``exact`` when the bound is attained.
    ``where`` describes the exact location when it is known; ``location`` =
    (piece, a, b) when an irrational extremum is certified to be the only one, at
    the root of L_piece' in (a, b) (FORMAT 11.2 check 6, new in 1.3)."""

    t: Fraction
    value: Fraction
    bound: Fraction
    where: str
    location: tuple[int, Fraction, Fraction] | None = None

    @property
    def exact(self) -> bool:
        return self.bound == self.value


@dataclass(frozen=True)
class PathAnalysis:
    segment: Segment
    breakpoints: tuple[Fraction, ...]
    pieces: tuple[Piece, ...]
    monotone: str
    minimum: Extreme
    maximum: Extreme
    witness: tuple[tuple[Fraction, Fraction], tuple[Fraction, Fraction]] | None

    def loss(self, t: Fraction) -> Fraction:
        """L(t) from the piece containing t."""
        for p in self.pieces:
            if p.lo <= t <= p.hi:
                return evaluate(p.poly, t)
        raise InputError(f"t = {t} is outside [0, 1]")


def _trend(poly: Poly, lo: Fraction, hi: Fraction, roots: list[Root]) -> str:
    q = derivative(poly)
    if not q:
        return "constant"
    pts = [lo]
    for r in roots:
        pts += [r.lo, r.hi]
    pts.append(hi)
    probes = [(u + v) / 2 for u, v in zip(pts, pts[1:], strict=False) if u < v]
    signs = {_sign(evaluate(q, s)) for s in probes} - {0}
    if signs == {1}:
        return "increasing"
    if signs == {-1}:
        return "decreasing"
    return "mixed"


def aggregate(trends: list[str]) -> str:
    """The trend of L on [0, 1] from the trends of its pieces (L is continuous)."""
    s = set(trends)
    if "mixed" in s or {"increasing", "decreasing"} <= s:
        return "no"
    if s == {"constant"}:
        return "constant"
    for word in ("increasing", "decreasing"):
        if s == {word}:
            return word
        if s == {word, "constant"}:
            return "non-" + ("decreasing" if word == "increasing" else "increasing")
    raise InputError(f"internal: unknown trends {sorted(s)}")  # pragma: no cover


def _extreme(pieces: list[Piece], sign: int) -> Extreme:
    """sign = +1: minimum; -1: maximum (of sign * L, minimised)."""
    best_t: Fraction | None = None
    best_v = Fraction(0)
    bound: Fraction | None = None
    cands: list[tuple[Fraction, Fraction, str]] = []  # (enclosure end, exact value at rational point, description)
    for k, p in enumerate(pieces):
        pts: list[tuple[Fraction, Fraction, str]] = [(p.lo, Fraction(0), f"t = {fmt(p.lo)}")]
        pts.append((p.hi, Fraction(0), f"t = {fmt(p.hi)}"))
        for r in p.roots:
            if r.value is not None:
                pts.append((r.value, Fraction(0), f"t = {fmt(r.value)}"))
            else:
                # L'(r) = 0, so |L(s) - L(r)| <= B2 (s - r)^2 / 2 (Taylor) for s in [lo, hi]
                slack = _bound_second(p.poly, r.lo, r.hi) * (r.hi - r.lo) ** 2 / 2
                desc = f"t = the root of {_show_poly(r.poly)} in ({fmt(r.lo)}, {fmt(r.hi)}) (piece {k})"
                pts.append((simplest(r.lo, r.hi), slack, desc))
        for t, slack, desc in pts:
            v = sign * evaluate(p.poly, t)
            low = v if not slack else simplest(v - 2 * slack, v - slack)
            cands.append((low, v, desc))
            if best_t is None or v < best_v:
                best_t, best_v = t, v
            if bound is None or v - slack < bound:
                bound = v - slack
    if best_t is None or bound is None:  # pragma: no cover - there is always a piece
        raise InputError("internal: no candidates")
    below = [c for c in cands if c[0] <= best_v]
    location = None
    if bound == best_v:
        where = next(c[2] for c in cands if c[1] == best_v)
    elif len({c[2] for c in below}) == 1:
        where = below[0][2]
        location = _isolate(pieces, sign, where)
    else:
        where = "one of: " + "; ".join(sorted({c[2] for c in below}))
    return Extreme(best_t, sign * best_v, sign * bound, where, location)


def _at_least(p: Poly, c: Fraction, lo: Fraction, hi: Fraction) -> bool:
    """p >= c on [lo, hi] (lo <= hi): p - c has one sign between consecutive distinct real
    roots, so its values at lo, hi and one rational point of every gap between roots decide."""
    f = tuple(v - (c if k == 0 else 0) for k, v in enumerate(p or (Fraction(0),)))
    pts = [lo, hi]
    if lo < hi and any(f[1:]):
        roots = real_roots(f, lo, hi)
        edges = [lo] + [x for r in roots for x in ((r.lo, r.hi) if r.value is None else (r.value, r.value))] + [hi]
        pts += [(edges[k] + edges[k + 1]) / 2 for k in range(0, len(edges), 2)]
    return all(evaluate(f, t) >= 0 for t in pts)


def _isolate(pieces: list[Piece], sign: int, where: str) -> tuple[int, Fraction, Fraction] | None:
    """The certificate of an irrational extremum's location (FORMAT 11.2 check 6): its root
    interval (a, b) in piece k, refined until P = sign * L satisfies P >= min(P(a), P(b)) on
    every piece outside (a, b) (then the extremum is attained there only); None if no
    refinement up to 2^-60 does (e.g. two extrema of equal value)."""
    for k, p in enumerate(pieces):
        for r in p.roots:
            if r.value is None and where.endswith(f"({fmt(r.lo)}, {fmt(r.hi)}) (piece {k})"):
                P = tuple(sign * v for v in p.poly)
                q = derivative(P)
                a, b = r.lo, r.hi
                qa = evaluate(q, a)
                if qa >= 0 or evaluate(q, b) <= 0:
                    return None
                for _ in range(60):
                    c = min(evaluate(P, a), evaluate(P, b))
                    ok = all(
                        _at_least(tuple(sign * v for v in pj.poly), c, lo, hi)
                        for j, pj in enumerate(pieces)
                        for lo, hi in (((pj.lo, pj.hi),) if j != k else ((pj.lo, a), (b, pj.hi)))
                        if lo <= hi
                    )
                    if ok:
                        return k, a, b
                    mid = inner(a, b)
                    qm = evaluate(q, mid)
                    if qm == 0:
                        return None
                    a, b = (mid, b) if qm < 0 else (a, mid)
                return None
    return None


def _show_poly(p: Poly) -> str:
    terms = []
    for k, c in reversed(list(enumerate(p))):
        if c:
            terms.append(f"{fmt(c)}" + ("" if k == 0 else "*t" if k == 1 else f"*t^{k}"))
    return " + ".join(terms) or "0"


def _witness(pieces: list[Piece]) -> tuple[tuple[Fraction, Fraction], tuple[Fraction, Fraction]] | None:
    """Rational s1 < s2 with L(s1) < L(s2) and s3 < s4 with L(s3) > L(s4), if any."""
    pts: list[tuple[Fraction, Fraction]] = []
    for p in pieces:
        ts = [p.lo]
        for r in p.roots:
            ts += [r.lo, r.hi] if r.value is None else [r.value]
        ts.append(p.hi)
        pts += [(t, evaluate(p.poly, t)) for t in ts]
    pts = sorted(set(pts))
    up = next(((a[0], b[0]) for a, b in zip(pts, pts[1:], strict=False) if a[0] < b[0] and a[1] < b[1]), None)
    down = next(((a[0], b[0]) for a, b in zip(pts, pts[1:], strict=False) if a[0] < b[0] and a[1] > b[1]), None)
    if up is None or down is None:
        return None
    return up, down


DEFAULT_MAX_WORK = 600_000
"""Work units (about 0.1 ms each where they were measured) ``path`` accepts before
it starts (:func:`build_work`, :func:`root_work`); the CLI's ``--max-work``."""


def _bits(q: Fraction) -> int:
    return max(abs(q.numerator).bit_length(), q.denominator.bit_length())


def input_bits(seg: Segment) -> int:
    """The longest numerator or denominator, in bits, of the instance and both endpoints."""
    inst, a, b = seg.instance, seg.start, seg.end
    nums = [*(v for row in inst.X for v in row), *inst.y, *a.z, *b.z]
    nums += [v for w in (a.w, b.w) for row in w for v in row]
    return max((_bits(v) for v in nums), default=1)


def build_work(seg: Segment, pieces: int) -> int:
    """Estimated work of building the pieces' polynomials: each piece sums N K
    products, each costing 1 + (B / 300)^2 units for inputs of B bits (measured:
    about 0.1 ms per product of short numbers, 12 ms at 3,300 bits)."""
    b = input_bits(seg)
    return pieces * seg.instance.N * seg.K * (1 + (b * b) // 90_000)


def root_work(polys: Sequence[Poly]) -> int:
    """Estimated work of isolating the real roots of the pieces' derivatives: per
    piece 1 + 22 (B / 64)^2 units for coefficients of B bits (an integer polynomial
    over their common denominator). The bisection may need as many steps as the
    roots' separation has bits, which grows with B, each step on numbers of about
    that size: measured 15 s per piece at B = 5,300 (endpoints of 800 digits)."""
    total = 0
    for p in polys:
        den = 1
        for c in p:
            den = den * c.denominator // gcd(den, c.denominator)
        b = max((abs(c.numerator * (den // c.denominator)).bit_length() for c in p), default=1)
        total += 1 + 22 * b * b // 4096
    return total


def _refuse(what: str, work: int, limit: int, seg: Segment) -> InputError:
    return InputError(
        f"{what} is estimated at {work} work units (numbers of up to {input_bits(seg)} bits in the instance "
        f"and endpoints), more than the limit of {limit} (about a minute); give endpoints with shorter "
        "numbers, or raise the limit with --max-work",
        "path",
    )


def analyse_path(inst: Instance, start: Weights, end: Weights, *, max_work: int | None = None) -> PathAnalysis:
    """Breakpoints, pieces, trends, extremes of L along the segment (module docstring).
    With ``max_work``, the work estimates (:func:`build_work` before the pieces are
    built, :func:`root_work` before their roots are isolated) are checked first: an
    InputError (exit 2) beyond it, before the long loop starts."""
    seg = Segment(inst, start, end)
    bps = breakpoints(seg)
    ends = [Fraction(0), *bps, Fraction(1)]
    if max_work is not None:
        work = build_work(seg, len(ends) - 1)
        if work > max_work:
            raise _refuse(
                f"building the loss on {len(ends) - 1} pieces (N = {inst.N}, K = {seg.K})", work, max_work, seg
            )
    polys = [piece_polynomial(seg, lo, hi) for lo, hi in zip(ends, ends[1:], strict=False)]
    if max_work is not None:
        work = root_work([derivative(p) for p in polys])
        if work > max_work:
            raise _refuse(f"isolating the roots of the {len(polys)} pieces' derivatives", work, max_work, seg)
    pieces = []
    for lo, hi, poly in zip(ends[:-1], ends[1:], polys, strict=True):
        q = derivative(poly)
        roots = real_roots(q, lo, hi) if q else []
        pieces.append(Piece(lo, hi, poly, _trend(poly, lo, hi, roots), tuple(roots)))
    mono = aggregate([p.trend for p in pieces])
    wit = _witness(pieces) if mono == "no" else None
    if mono == "no" and wit is None:
        raise InputError("internal: a non-monotone path without a witness pair")
    return PathAnalysis(seg, tuple(bps), tuple(pieces), mono, _extreme(pieces, 1), _extreme(pieces, -1), wit)


# ------------------------------------------------------------ certificate


def path_claim(a: PathAnalysis) -> dict[str, Any]:
    out: dict[str, Any] = {
        "breakpoints": fmt_vec(a.breakpoints),
        "pieces": [{"coefficients": fmt_vec(p.poly), "trend": p.trend} for p in a.pieces],
        "monotone": a.monotone,
        "minimum": {"t": fmt(a.minimum.t), "value": fmt(a.minimum.value), "lower": fmt(a.minimum.bound)},
        "maximum": {"t": fmt(a.maximum.t), "value": fmt(a.maximum.value), "upper": fmt(a.maximum.bound)},
    }
    for name, ext in (("minimum", a.minimum), ("maximum", a.maximum)):
        if ext.location is not None:  # new in 1.3: the irrational extremum's location, certified
            k, lo, hi = ext.location
            out[name]["location"] = {"piece": k, "interval": [fmt(lo), fmt(hi)]}
    return out


def path_certificate(a: PathAnalysis) -> dict[str, Any]:
    """Certificate of kind ``path`` (FORMAT 11, new in 1.2)."""
    from ..io.certify import envelope

    cert = envelope("path", a.segment.instance.to_json(), path_claim(a))
    located = a.minimum.location is not None or a.maximum.location is not None
    cert["version"] = "1.3" if located else "1.2"
    cert["from"] = a.segment.start.to_json()
    cert["to"] = a.segment.end.to_json()
    if a.witness is not None:
        (s1, s2), (s3, s4) = a.witness
        cert["witness"] = {"up": [fmt(s1), fmt(s2)], "down": [fmt(s3), fmt(s4)]}
    return cert
