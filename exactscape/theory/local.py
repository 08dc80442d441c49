"""Local minimality at any point (z, w), exactly (docs/theory.md §4.1, Lemmas D and E).

Notation at the point P = (z, w): e_i = f(x_i) - y_i; for each neuron j the
*boundary samples* H_j = {i : x_i != 0, w_j . x_i = 0} (a zero sample is never
active, whatever the weights, and is left out); G_j = sum_{i : w_j . x_i > 0} e_i x_i;
and the positively homogeneous, piecewise linear function

    g_j(b) = G_j . b + sum_{i in H_j} e_i [b . x_i]_+        (b in Q^d),

the one-sided derivative of L in w_j along b, up to the factor (2/N) z_j.

**Lemma D (sufficiency).** If (1) w_j . G_j = 0 for every j, and (2) for every j,
s g_j(b) >= 0 for all b, for s = sign z_j when z_j != 0 and for both s = +1
and s = -1 when z_j = 0 (i.e. g_j = 0), then P is a local minimum of L.

**Lemma E (necessity).** Otherwise a polynomial curve through P descends:
z_j - t (w_j . G_j) when (1) fails; w_j + t b when z_j != 0 and
sign(z_j) g_j(b) < 0; z_j = -sign(g_j(b)) t^2 (or t when w_j = 0), w_j + t b
when z_j = 0 and g_j(b) != 0.

So the point is a local minimum iff (1) and (2) hold: no second-order
condition is ever needed, because on each piece of the local fan the loss is a
convex quadratic of R = (z_j w_j) (docs/theory.md §4.1). Condition (2) is
decided per neuron (the fan is a product of per-neuron fans, so no product of
pieces over neurons is ever formed), first by one multiplier per boundary
sample (the O(|H_j|) test: s G_j = sum_i alpha_i x_i with
-s e_i <= alpha_i <= 0, sufficient always and necessary when the x_i, i in
H_j, are linearly independent), then by probing b = +-x_i (i in H_j) for a
descent, and otherwise piece by piece: the open cells
of the arrangement of the hyperplanes {b : b . x_i = 0}, i in H_j, enumerated
with a sign tree (:func:`exactscape.theory.census.enumerate_cells`); on the
closure of the cell with signs sigma, g_j(b) = r^sigma . b with
r^sigma = G_j + sum_{i in H_j, sigma_i = +} e_i x_i, and s g_j >= 0 there iff
s r^sigma = sum_i mu_i sigma_i x_i with mu >= 0 (Farkas), which an exact LP
decides; when it fails the LP's point b is a descent direction.

Cheap case first: a point whose loss equals the ray-group lower bound
(:func:`ray_bound`; 0 in particular) is a global, hence local, minimum.
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction

from ..core import polyhedra
from ..core.curves import Curve
from ..core.model import Instance, Vec, Weights, dot
from .census import CensusNode, TooMany, enumerate_cells

MAX_PIECES = 10_000
"""At most this many pieces per neuron and sign are enumerated; beyond, the point is not covered."""


@dataclass(frozen=True)
class Piece:
    """One open cell of a neuron's local fan: ``active[t]`` = 1 iff b . x_i > 0 for the t-th
    boundary sample i; ``witness`` strictly inside; s r^sigma = sum_i mu_i sigma_i x_i."""

    active: tuple[int, ...]
    witness: Vec
    mu: tuple[tuple[int, Fraction], ...]


@dataclass(frozen=True)
class SignProof:
    """s g_j >= 0 everywhere: by ``alpha`` (one multiplier per boundary sample) or by
    ``pieces`` with the sign ``tree`` proving them every open cell of the fan."""

    sign: int
    alpha: tuple[tuple[int, Fraction], ...] | None
    pieces: tuple[Piece, ...] = ()
    tree: CensusNode | None = None  # sample indices of the tree are positions in ``samples``


@dataclass(frozen=True)
class NeuronProof:
    """Condition (2) of Lemma D for neuron ``neuron`` (boundary samples ``samples``)."""

    neuron: int
    samples: tuple[int, ...]
    proofs: tuple[SignProof, ...]


@dataclass(frozen=True)
class LocalDecision:
    """The decision at a point: ``minimum`` with a ``bound`` (ray groups) or ``neurons``
    proofs (Lemma D), or not, with a ``descent`` curve (Lemma E); ``reason`` when undecided."""

    minimum: bool | None
    descent: Curve | None = None
    groups: tuple[tuple[int, ...], ...] | None = None
    neurons: tuple[NeuronProof, ...] = ()
    reason: str = ""
    how: str = ""


def residuals(inst: Instance, wts: Weights) -> list[Fraction]:
    """e_i = sum_j z_j [w_j . x_i]_+ - y_i."""
    out = []
    for x, yi in zip(inst.xs, inst.y, strict=True):
        f = sum((z * max(dot(w, x), Fraction(0)) for z, w in zip(wts.z, wts.w, strict=True)), Fraction(0))
        out.append(f - yi)
    return out


def _ray_multiple(x: Vec, u: Vec) -> Fraction | None:
    """c > 0 with x = c u, else None (u != 0)."""
    l0 = next(l for l, v in enumerate(u) if v != 0)
    c = x[l0] / u[l0]
    if c <= 0 or any(a != c * b for a, b in zip(x, u, strict=True)):
        return None
    return c


def ray_groups(inst: Instance) -> tuple[tuple[int, ...], ...]:
    """The samples grouped by ray: x_i = c u with c > 0 for the group's first member u;
    zero samples form one group of their own."""
    groups: list[list[int]] = []
    zero: list[int] = []
    for i, x in enumerate(inst.xs):
        if not any(x):
            zero.append(i)
            continue
        for g in groups:
            if _ray_multiple(x, inst.xs[g[0]]) is not None:
                g.append(i)
                break
        else:
            groups.append([i])
    out = [tuple(g) for g in groups]
    if zero:
        out.append(tuple(zero))
    return tuple(sorted(out))


def ray_bound(inst: Instance, groups: tuple[tuple[int, ...], ...]) -> Fraction:
    """(1/N) sum over groups of min_phi sum_{i in group} (c_i phi - y_i)^2
    = (1/N) sum (sum y_i^2 - (sum c_i y_i)^2 / sum c_i^2), c_i = 0 for zero samples.

    A lower bound of L at every point: f(c u) = c f(u) for c > 0 (positive
    homogeneity of every neuron), so on a group f(x_i) = c_i phi with phi = f(u),
    and f(0) = 0."""
    total = Fraction(0)
    for g in groups:
        u = inst.xs[g[0]]
        cs = [Fraction(0) if not any(u) else _ray_multiple(inst.xs[i], u) or Fraction(0) for i in g]
        ys = [inst.y[i] for i in g]
        cc = sum((c * c for c in cs), Fraction(0))
        cy = sum((c * y for c, y in zip(cs, ys, strict=True)), Fraction(0))
        total += sum((y * y for y in ys), Fraction(0)) - (cy * cy / cc if cc else Fraction(0))
    return total / inst.N


def _g_parts(inst: Instance, wts: Weights, e: list[Fraction], j: int) -> tuple[Vec, tuple[int, ...]]:
    """(G_j, H_j) at the point."""
    d = inst.d
    G = [Fraction(0)] * d
    H = []
    for i, x in enumerate(inst.xs):
        if not any(x):
            continue
        v = dot(wts.w[j], x)
        if v > 0:
            for l in range(d):
                G[l] += e[i] * x[l]
        elif v == 0:
            H.append(i)
    return tuple(G), tuple(H)


def g_value(inst: Instance, G: Vec, H: tuple[int, ...], e: list[Fraction], b: Vec) -> Fraction:
    """g_j(b) = G_j . b + sum_{i in H_j} e_i [b . x_i]_+."""
    return dot(G, b) + sum((e[i] * max(dot(b, inst.xs[i]), Fraction(0)) for i in H), Fraction(0))


def _alpha(
    inst: Instance, G: Vec, H: tuple[int, ...], e: list[Fraction], s: int
) -> tuple[tuple[int, Fraction], ...] | None:
    """alpha with s G = sum_{i in H} alpha_i x_i and -s e_i <= alpha_i <= 0, or None."""
    if any(s * e[i] < 0 for i in H):
        return None
    m, d = len(H), inst.d
    E = tuple(tuple(inst.xs[i][l] for i in H) for l in range(d))
    f = tuple(s * G[l] for l in range(d))
    rows: list[tuple[Fraction, ...]] = []
    rhs: list[Fraction] = []
    for t, i in enumerate(H):
        unit = tuple(Fraction(1 if u == t else 0) for u in range(m))
        rows.append(tuple(-v for v in unit))
        rhs.append(Fraction(0))
        rows.append(unit)
        rhs.append(-s * e[i])
    if m == 0:
        return () if not any(G) else None
    ans = polyhedra.decide(polyhedra.System(n=m, E=E, f=f, H=tuple(rows), k=tuple(rhs)))
    if isinstance(ans, polyhedra.Farkas):
        return None
    return tuple((i, a) for i, a in zip(H, ans.v, strict=True) if a != 0)


def _piece_check(
    inst: Instance, G: Vec, H: tuple[int, ...], e: list[Fraction], s: int, active: tuple[int, ...]
) -> tuple[tuple[tuple[int, Fraction], ...] | None, Vec | None]:
    """(mu, None) with mu >= 0 and s r^sigma = sum mu_i sigma_i x_i, or (None, b) with b in the
    closed piece and s r^sigma . b < 0."""
    d = inst.d
    r = list(G)
    for t, i in enumerate(H):
        if active[t]:
            for l in range(d):
                r[l] += e[i] * inst.xs[i][l]
    if not any(r):
        return (), None
    sig = [1 if a else -1 for a in active]
    Hrows = tuple(tuple(sg * v for v in inst.xs[i]) for sg, i in zip(sig, H, strict=True))
    Grow = (tuple(-s * v for v in r),)
    ans = polyhedra.decide(
        polyhedra.System(n=d, G=Grow, h=(Fraction(0),), H=Hrows, k=tuple(Fraction(0) for _ in Hrows))
    )
    if isinstance(ans, polyhedra.Point):
        return None, tuple(ans.v)
    scale = ans.mG[0]
    return tuple((i, m / scale) for i, m in zip(H, ans.mH, strict=True) if m != 0), None


def _descent(wts: Weights, j: int, b: Vec, gb: Fraction) -> Curve:
    """Lemma E's curve for neuron j along b with g_j(b) = gb (sign z_j gb < 0, or z_j = 0, gb != 0)."""
    dw = tuple((j, l, (v,)) for l, v in enumerate(b) if v != 0)
    if wts.z[j] != 0:
        return Curve((), dw)
    s = Fraction(-1 if gb > 0 else 1)
    if not any(wts.w[j]):
        return Curve(((j, (s,)),), dw)
    return Curve(((j, (Fraction(0), s)),), dw)


def _sign_proof(
    inst: Instance, wts: Weights, e: list[Fraction], j: int, G: Vec, H: tuple[int, ...], s: int
) -> SignProof | Curve | str:
    """A proof that s g_j >= 0, or a descent curve, or the reason it was not decided."""
    alpha = _alpha(inst, G, H, e, s)
    if alpha is not None:
        return SignProof(s, alpha)
    if not H:  # g_j(b) = G_j . b with G_j != 0: b = -s G_j descends
        down = tuple(-s * v for v in G)
        return _descent(wts, j, down, g_value(inst, G, H, e, down))
    for i in H:  # cheap probes first: b = +-x_i often shows the residual's correlation
        for sg in (1, -1):
            probe = tuple(sg * v for v in inst.xs[i])
            gp = g_value(inst, G, H, e, probe)
            if s * gp < 0:
                return _descent(wts, j, probe, gp)
    sub = Instance(tuple(inst.xs[i] for i in H), tuple(Fraction(0) for _ in H), bias=False)
    try:
        census = enumerate_cells(sub, MAX_PIECES)
    except TooMany:
        return f"neuron {j}: more than {MAX_PIECES} pieces in its local fan ({len(H)} boundary samples)"
    pieces: list[Piece] = []
    for cell in census.cells:
        mu, b = _piece_check(inst, G, H, e, s, cell.active)
        if b is not None:  # a descent direction in the closed piece
            return _descent(wts, j, b, g_value(inst, G, H, e, b))
        pieces.append(Piece(cell.active, cell.witness, mu or ()))
    return SignProof(s, None, tuple(pieces), census.tree)


def decide_point(inst: Instance, wts: Weights) -> LocalDecision:
    """Lemma D / Lemma E at the point (module docstring); the cheap lower bound first."""
    e = residuals(inst, wts)
    L = sum((v * v for v in e), Fraction(0)) / inst.N
    groups = ray_groups(inst)
    if L == ray_bound(inst, groups):
        how = "loss 0" if L == 0 else "loss equals the ray-group lower bound"
        return LocalDecision(True, groups=groups, how=how)
    parts = [_g_parts(inst, wts, e, j) for j in range(wts.K)]
    for j, (G, _) in enumerate(parts):
        wg = dot(wts.w[j], G)
        if wg != 0:
            return LocalDecision(
                False, descent=Curve(((j, (-wg,)),), ()), how=f"w_{j} . G_{j} = {wg} != 0 (dL/dz_{j} != 0)"
            )
    proofs: list[NeuronProof] = []
    for j, (G, H) in enumerate(parts):
        zj = wts.z[j]
        signs = (1 if zj > 0 else -1,) if zj != 0 else (1, -1)
        got: list[SignProof] = []
        for s in signs:
            ans = _sign_proof(inst, wts, e, j, G, H, s)
            if isinstance(ans, str):
                return LocalDecision(None, reason=ans)
            if isinstance(ans, Curve):
                b = tuple(Fraction(0) for _ in range(inst.d))
                moved = {l: c[0] for jj, l, c in ans.dw if jj == j}
                b = tuple(moved.get(l, v) for l, v in enumerate(b))
                gb = g_value(inst, G, H, e, b)
                text = ", ".join(str(v) for v in b)
                if zj != 0:
                    what = f"z_{j} g_{j}(b) < 0 for b = ({text}): a one-sided derivative in w_{j} is negative"
                else:
                    what = (
                        f"z_{j} = 0 and g_{j}(b) = {gb} != 0 for b = ({text}): the residual correlates with [b . x]_+"
                    )
                return LocalDecision(False, descent=ans, how=what)
            got.append(ans)
        proofs.append(NeuronProof(j, H, tuple(got)))
    by_alpha = sum(1 for p in proofs for sp in p.proofs if sp.alpha is not None)
    by_pieces = sum(len(sp.pieces) for p in proofs for sp in p.proofs if sp.alpha is None)
    how = (
        f"Lemma D: w_j . G_j = 0 and s g_j >= 0 for every neuron ({by_alpha} sign(s) by one multiplier per "
        f"wall sample, {by_pieces} piece(s) of local fans)"
    )
    return LocalDecision(True, neurons=tuple(proofs), how=how)


# ------------------------------------------------------------------ whole faces


@dataclass(frozen=True)
class NeuronFace:
    """A face of one neuron's arrangement: ``signs[i]`` in {1, -1, 0} is the sign of
    w . x_i on its relative interior (0 for every zero sample); ``witness`` lies there."""

    signs: tuple[int, ...]
    witness: Vec

    @property
    def walls(self) -> tuple[int, ...]:
        """The samples with w . x_i = 0 (zero samples included)."""
        return tuple(i for i, s in enumerate(self.signs) if s == 0)


def neuron_faces(inst: Instance, limit: int = MAX_PIECES) -> tuple[NeuronFace, ...] | None:
    """Every non-empty face {w : sign(w . x_i) = s_i for all i} of one neuron's arrangement
    (the open cells, the walls and their intersections, down to {0}), by a three-way sign
    tree with one exact LP per child that the parent's point does not decide; None when
    there are more than ``limit``."""
    xs, d = inst.xs, inst.d
    out: list[NeuronFace] = []

    def system(signs: list[int]) -> polyhedra.System:
        E = tuple(xs[i] for i, s in enumerate(signs) if s == 0 and any(xs[i]))
        G = tuple(tuple(s * v for v in xs[i]) for i, s in enumerate(signs) if s != 0)
        return polyhedra.System(n=d, E=E, f=tuple(Fraction(0) for _ in E), G=G, h=tuple(Fraction(0) for _ in G))

    stack: list[tuple[list[int], Vec]] = [([], tuple(Fraction(0) for _ in range(d)))]
    while stack:
        signs, w = stack.pop()
        t = len(signs)
        if t == inst.N:
            out.append(NeuronFace(tuple(signs), w))
            if len(out) > limit:
                return None
            continue
        x = xs[t]
        if not any(x):
            stack.append(([*signs, 0], w))
            continue
        here = dot(w, x)
        own = 1 if here > 0 else -1 if here < 0 else 0
        for s in (-1, 0, 1):
            if s == own:
                stack.append(([*signs, s], w))
                continue
            ans = polyhedra.decide(system([*signs, s]))
            if isinstance(ans, polyhedra.Point):
                stack.append(([*signs, s], tuple(ans.v)))
    out.sort(key=lambda f: f.signs)
    return tuple(out)


RowId = tuple[str, tuple[int, ...]]
"""A row of the face LP (FORMAT 5.6): ("zero", (j, l)), ("wall", (j, i)), ("side", (j, i)),
("piece", (j, p, l)) or ("mu", (j, p, t)); variables are named ("R", (j, l)) and ("mu", (j, p, t))."""


@dataclass(frozen=True)
class FaceDecision:
    """Does the face (one :class:`NeuronFace` per neuron, signs of z) hold a local minimum?
    ``witness``: a point of it that Lemma D proves a local minimum (every local minimum of
    the face has its loss: each is a minimiser of the convex loss over the face's merged
    weights, docs/theory.md section 4.1). Otherwise ``farkas``: multipliers of the named
    rows proving the LP infeasible, with the ``pieces`` (active signs over the walls and an
    interior witness, per neuron) whose rows it uses."""

    minimum: bool
    witness: Weights | None = None
    loss: Fraction | None = None
    farkas: tuple[tuple[RowId, Fraction], ...] = ()
    pieces: tuple[tuple[tuple[tuple[int, ...], Vec], ...], ...] = ()


FanCache = dict[tuple[int, ...], list[tuple[tuple[int, ...], Vec]]]
"""Per set of wall samples: the open cells of their arrangement (signs and interior point)."""


def face_rows(
    inst: Instance,
    signs: tuple[tuple[int, ...], ...],
    zsigns: tuple[int, ...],
    pieces: tuple[tuple[tuple[int, ...], ...], ...],
) -> list[tuple[RowId, str, dict[RowId, Fraction], Fraction]]:
    """The rows of the face LP in their named form (FORMAT 5.6), each (id, relation, coefficients
    by variable ("R", (j, l)) or ("mu", (j, p, t)), right-hand side); relation "=", ">" or ">=".

    With H_j the walls of neuron j (non-zero samples of sign 0), I[i][j] = [signs[j][i] > 0],
    act(j, p) = {i : signs[j][i] > 0} with the walls that piece p makes active, and
    r_l = sum_{i in act} x_il (sum_k I[i][k] x_i . R_k) - sum_{i in act} x_il y_i:
    s_j = 0: R_j = 0 ("zero") and r = 0 on every piece ("piece");
    s_j != 0: x_i . R_j = 0 on the walls ("wall"), s_j signs[j][i] x_i . R_j > 0 elsewhere
    ("side"), s_j r - sum_t sigma_t x_{H_t} mu_t = 0 on every piece ("piece"), mu >= 0 ("mu")."""
    K, d, N = len(signs), inst.d, inst.N
    xs, y = inst.xs, inst.y
    rows: list[tuple[RowId, str, dict[RowId, Fraction], Fraction]] = []
    for j in range(K):
        s = zsigns[j]
        walls = [i for i in range(N) if signs[j][i] == 0 and any(xs[i])]
        if s == 0:
            for l in range(d):
                unit: dict[RowId, Fraction] = {("R", (j, l)): Fraction(1)}
                rows.append((("zero", (j, l)), "=", unit, Fraction(0)))
        else:
            for i in range(N):
                if not any(xs[i]):
                    continue
                along: dict[RowId, Fraction] = {("R", (j, l)): xs[i][l] for l in range(d) if xs[i][l]}
                if signs[j][i] == 0:
                    rows.append((("wall", (j, i)), "=", along, Fraction(0)))
                else:
                    sg = s * signs[j][i]
                    rows.append((("side", (j, i)), ">", {k: sg * v for k, v in along.items()}, Fraction(0)))
        for p, active in enumerate(pieces[j]):
            act = [i for i in range(N) if signs[j][i] > 0] + [i for t, i in enumerate(walls) if active[t]]
            scale = s if s != 0 else 1
            for l in range(d):
                coef: dict[RowId, Fraction] = {}
                rhs = Fraction(0)
                for i in act:
                    if not xs[i][l]:
                        continue
                    rhs += scale * xs[i][l] * y[i]
                    for k in range(K):
                        if signs[k][i] > 0:
                            for m in range(d):
                                if xs[i][m]:
                                    key = ("R", (k, m))
                                    coef[key] = coef.get(key, Fraction(0)) + scale * xs[i][l] * xs[i][m]
                if s != 0:
                    for t, i in enumerate(walls):
                        if xs[i][l]:
                            sg = 1 if active[t] else -1
                            mu = ("mu", (j, p, t))
                            coef[mu] = coef.get(mu, Fraction(0)) - sg * xs[i][l]
                rows.append((("piece", (j, p, l)), "=", {k: v for k, v in coef.items() if v}, rhs))
            if s != 0:
                for t in range(len(walls)):
                    one: dict[RowId, Fraction] = {("mu", (j, p, t)): Fraction(1)}
                    rows.append((("mu", (j, p, t)), ">=", one, Fraction(0)))
    return rows


def decide_face(
    inst: Instance, faces: tuple[NeuronFace, ...], zsigns: tuple[int, ...], cache: FanCache | None = None
) -> FaceDecision:
    """Lemma D on a whole face, as one exact LP in the merged weights R and the multipliers
    (:func:`face_rows`): R_j in s_j times the face of neuron j, R_j = 0 when s_j = 0;
    e = A R - y with the face's pattern (walls inactive); and condition (2) for every neuron
    on every piece sigma of its fan (the open cells of its walls' arrangement, complete by
    the census): s_j r^sigma(e) = sum mu_i sigma_i x_i with mu >= 0, or r^sigma(e) = 0 when
    s_j = 0. (1) follows from (2): g_j(+-w_j) = +-G_j . w_j. Feasible: a witness point, a
    local minimum by Lemma D. Infeasible: the Farkas multipliers of the named rows, which
    prove that no point of the face is a local minimum (Lemma E, FORMAT 5.6)."""
    K, d, N = len(faces), inst.d, inst.N
    xs = inst.xs
    fans: FanCache = {} if cache is None else cache

    def fan(H: tuple[int, ...]) -> list[tuple[tuple[int, ...], Vec]]:
        if H not in fans:
            if not H:
                fans[H] = [((), tuple(Fraction(0) for _ in range(d)))]
            else:
                sub = Instance(tuple(xs[i] for i in H), tuple(Fraction(0) for _ in H), bias=False)
                fans[H] = [(c.active, c.witness) for c in enumerate_cells(sub, MAX_PIECES).cells]
        return fans[H]

    walls = [tuple(i for i in fc.walls if any(xs[i])) for fc in faces]
    pieces = tuple(tuple(fan(H)) for H in walls)
    signs = tuple(fc.signs for fc in faces)
    rows = face_rows(inst, signs, zsigns, tuple(tuple(a for a, _ in pc) for pc in pieces))
    variables: dict[RowId, int] = {}
    for j in range(K):
        for l in range(d):
            variables[("R", (j, l))] = len(variables)
    for _, _, coef, _ in rows:
        for key in coef:
            if key not in variables:
                variables[key] = len(variables)
    n = len(variables)

    def dense(coef: dict[RowId, Fraction]) -> tuple[Fraction, ...]:
        out = [Fraction(0)] * n
        for key, v in coef.items():
            out[variables[key]] = v
        return tuple(out)

    parts: dict[str, list[tuple[RowId, tuple[Fraction, ...], Fraction]]] = {"=": [], ">": [], ">=": []}
    for rid, rel, coef, rhs in rows:
        parts[rel].append((rid, dense(coef), rhs))
    system = polyhedra.System(
        n=n,
        E=tuple(r for _, r, _ in parts["="]),
        f=tuple(b for _, _, b in parts["="]),
        G=tuple(r for _, r, _ in parts[">"]),
        h=tuple(b for _, _, b in parts[">"]),
        H=tuple(r for _, r, _ in parts[">="]),
        k=tuple(b for _, _, b in parts[">="]),
    )
    ans = polyhedra.decide(system)
    if isinstance(ans, polyhedra.Farkas):
        mults = [
            (rid, m)
            for rel, ms in (("=", ans.mE), (">", ans.mG), (">=", ans.mH))
            for (rid, _, _), m in zip(parts[rel], ms, strict=True)
            if m != 0
        ]
        mults.sort(key=lambda entry: entry[0])
        return FaceDecision(False, farkas=tuple(mults), pieces=pieces)
    R = [ans.v[j * d : (j + 1) * d] for j in range(K)]
    z = tuple(Fraction(s) for s in zsigns)
    w = tuple(tuple(s * v for v in R[j]) if s else faces[j].witness for j, s in enumerate(zsigns))
    wts = Weights(z, w)
    e = residuals(inst, wts)
    return FaceDecision(True, wts, sum((v * v for v in e), Fraction(0)) / N)
