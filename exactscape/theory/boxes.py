"""Box search: genuineness [15-18] of a cell by conflict learning over branch vectors,
for the cells no other structure decides (a wide A of full row rank whose samples are
dependent, Kd > N > d; docs/theory.md section 2).

A Farkas leaf (FORMAT.md 4.2 check 5) is a fit multiplier m in Q^N and sign multipliers
mu >= 0. Write g_j = sum_i m_i I_ij x_i (block j of A^T m) and beta = m . p. For a branch
vector sigma the leaf needs, for every neuron j with sigma_j != 0,

    g_j + sum_i mu_ji s_ji x_i = 0,   s_ji = (2 I_ij - 1) sign(sigma_j),

and beta >= 0 (beta != 0 without sign multipliers). Branch 0 puts no condition on g_j
(R_j = 0 is substituted), branch b in {+, -} asks -b g_j to lie in the cone K_j generated
by the (2 I_ij - 1) x_i, and g_j = 0 admits every branch. So one (m, mu) with beta > 0
refutes a whole *box* prod_j B_j of branch vectors: B_j = {+, -, 0} when g_j = 0 (the
neuron is *free*), else {0} plus the signs b with -b g_j in K_j. With beta = 0 one
neuron whose sign multipliers are needed is kept off 0.

The search (CDCL over 3-valued variables):

1. every sample i with p_i != 0 is a box at once: m = sign(p_i) e_i, all neurons active on
   i in {0, -sign(p_i)} (their values x_i . R_j cannot add up to p_i);
2. a small DPLL (unit propagation over the boxes as clauses "sigma lies outside the box")
   proposes a branch vector sigma outside every learnt box;
3. sigma's system (fit rows, sign rows of its non-zero neurons) is decided exactly by the
   injected decider (floats may propose, answers are verified exactly), with sign rows
   added lazily: a point valid for every row is a witness (the cell is genuine); Farkas
   multipliers of a subsystem refute sigma, and are generalised into the largest box
   their g_j allow (a cone-membership LP per neuron on branch 0);
4. when no branch vector is left outside the boxes, the boxes are turned into a branch
   tree of the existing format: split neurons until some box contains every completion
   of the path (its non-free neurons split, on branches the box allows); the box's leaf
   is written there with the sign multipliers of the path's sign branches.

Neuron j is free in a leaf iff X^T (I_j o m) = 0: the multipliers of the samples active on j
form a linear dependency of those samples (d equations per neuron). A sample box leaves free
every neuron inactive on its sample; a dense m (a Farkas vector of a whole branch vector's
system) leaves few. A leaf covers only the completions of its path and every non-free neuron
must be split on that path, so a tree whose leaves leave at most F neurons free has at least
3^(K - F) leaves (docs/theory.md section 2). Every search is bounded by the budget: when it runs
out, or the tree would exceed ``MAX_LEAVES`` leaves, the answer is undecided, never "not
genuine".
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from fractions import Fraction

from ..core import linalg, polyhedra
from ..core.minset import MinimiserSet
from ..core.model import Instance, Mat, Pattern, Vec, dot
from .branches import BRANCHES, Genuine, Leaf, Split, Tree, genuine_from_blocks
from .genuine import Budget, Decider, Decision, OutOfBudget

METHOD = "box-search"
MAX_LEAVES = 20_000  # leaves of the tree above which the refutation is reported undecided
ROWS_PER_ROUND = 4  # violated sign rows added per neuron and round of the lazy decision

Domains = dict[int, frozenset[str]]


@dataclass(frozen=True)
class Box:
    """A refuted box of branch vectors and the Farkas multipliers refuting it.

    ``allowed`` lists the non-free neurons with the branches B_j the box contains (every
    other neuron is free: g_j = 0); ``signs`` gives, per (neuron, sign branch) of the box,
    the sign multipliers (i, mu) with g_j + sum_i mu_i s_ji x_i = 0 on that branch; ``beta``
    = m . p. With beta = 0 every box branch of some neuron carries sign multipliers."""

    fit: tuple[tuple[int, Fraction], ...]
    beta: Fraction
    allowed: tuple[tuple[int, frozenset[str]], ...]
    signs: tuple[tuple[int, str, tuple[tuple[int, Fraction], ...]], ...]

    def contains(self, sigma: dict[int, str]) -> bool:
        """Does the box contain every completion of the partial vector ``sigma``?"""
        return all(j in sigma and sigma[j] in b for j, b in self.allowed)

    def leaf(self, sigma: dict[int, str]) -> Leaf:
        """The FORMAT 4.2 leaf at a path ``sigma`` that the box contains."""
        sign = [(j, i, mu) for j, b, mults in self.signs if sigma.get(j) == b for i, mu in mults]
        return Leaf(fit=self.fit, sign=tuple(sorted(sign)))


@dataclass(frozen=True)
class Proposal:
    """A proposed, more general refutation of a branch vector (floats may propose it):
    ``samples`` the support of m, ``free`` the neurons to leave free (g_j = 0), ``rows`` per
    non-free neuron on a sign branch the support of its sign multipliers. It counts only
    once :meth:`_Search.realise` solved it exactly and checked every equation."""

    samples: tuple[int, ...]
    free: tuple[int, ...]
    rows: tuple[tuple[int, tuple[int, ...]], ...]


Generaliser = Callable[[Instance, Pattern, Sequence[Fraction], dict[int, str]], "Proposal | None"]


def _branch_sign(b: str) -> int:
    return 1 if b == "+" else -1


class _Search:
    """The CDCL of the module docstring over one cell."""

    def __init__(
        self,
        inst: Instance,
        pat: Pattern,
        fitted: Sequence[Fraction],
        zero_witness: Mat | None,
        budget: Budget,
        decide: Decider,
        generalise: Generaliser | None = None,
    ) -> None:
        self.inst, self.pat, self.p = inst, pat, list(fitted)
        self.generalise = generalise
        self.K, self.N, self.d = pat.K, inst.N, inst.d
        self.zw = zero_witness
        self.budget, self.decide = budget, decide
        self.xs = inst.xs
        self.cs = [[1 if pat.I[i][j] else -1 for j in range(self.K)] for i in range(self.N)]
        self.boxes: list[Box] = []
        self.rows: dict[int, set[int]] = {j: set() for j in range(self.K)}
        self.vote = [sum((v > 0) - (v < 0) for i, v in enumerate(self.p) if pat.I[i][j]) for j in range(self.K)]
        self.lps = 0

    # ------------------------------------------------------------------ boxes
    def sample_boxes(self) -> None:
        """Module docstring, 1: one box per sample with p_i != 0."""
        for i, v in enumerate(self.p):
            if v == 0:
                continue
            s = 1 if v > 0 else -1
            b = "-" if s > 0 else "+"  # the branch whose values x_i . R_j have the wrong sign
            act = [j for j in range(self.K) if self.pat.I[i][j]]
            # g_j = s x_i, and b's sign rows give s x_i + mu s_ji x_i = 0 with s_ji = -s: mu = 1
            self.boxes.append(
                Box(
                    fit=((i, Fraction(s)),),
                    beta=abs(v),
                    allowed=tuple((j, frozenset(("0", b))) for j in act),
                    signs=tuple((j, b, ((i, Fraction(1)),)) for j in act),
                )
            )

    def learn(self, sigma: dict[int, str], fit: dict[int, Fraction], mu: dict[int, dict[int, Fraction]]) -> Box:
        """The largest box the refutation (fit, mu) of ``sigma`` allows (module docstring)."""
        d = self.d
        g = [[Fraction(0)] * d for _ in range(self.K)]
        for i, m in fit.items():
            x = self.xs[i]
            for j in range(self.K):
                if self.pat.I[i][j]:
                    gj = g[j]
                    for l in range(d):
                        gj[l] += m * x[l]
        beta = sum((m * self.p[i] for i, m in fit.items()), Fraction(0))
        allowed: list[tuple[int, frozenset[str]]] = []
        signs: list[tuple[int, str, tuple[tuple[int, Fraction], ...]]] = []
        for j in range(self.K):
            if all(v == 0 for v in g[j]):
                continue  # free
            branches = {"0"}
            if sigma[j] != "0":
                branches.add(sigma[j])
                signs.append((j, sigma[j], tuple(sorted(mu.get(j, {}).items()))))
            else:
                for b in ("+", "-"):
                    mult = self.membership(j, b, g[j])
                    if mult is not None:
                        branches.add(b)
                        signs.append((j, b, mult))
            allowed.append((j, frozenset(branches)))
        if beta == 0:
            # some sign multiplier must remain: keep one neuron that carries them off branch 0
            j0 = next((j for j, b, mults in signs if mults and sigma[j] == b), None)
            if j0 is None:  # pragma: no cover - a verified refutation with beta = 0 has sign multipliers
                raise RuntimeError("a refutation with beta = 0 and no sign multiplier")
            allowed = [(j, frozenset({sigma[j0]}) if j == j0 else b) for j, b in allowed]
        return Box(tuple(sorted(fit.items())), beta, tuple(allowed), tuple(signs))

    def membership(self, j: int, b: str, gj: list[Fraction]) -> tuple[tuple[int, Fraction], ...] | None:
        """Sign multipliers mu >= 0 with g_j + sum_i mu_i s_ji x_i = 0 on branch b, i.e. -b g_j in
        the cone K_j; None if there are none. Decided as the emptiness of
        {r : (2 I_ij - 1) x_i . r >= 0 (all i), b g_j . r > 0}: its Farkas multipliers
        (t > 0 on the strict row, nu_i >= 0) give mu_i = nu_i / t."""
        sg = _branch_sign(b)
        H = tuple(tuple(self.cs[i][j] * v for v in x) for i, x in enumerate(self.xs))
        s = polyhedra.System(
            n=self.d,
            G=(tuple(sg * v for v in gj),),
            h=(Fraction(0),),
            H=H,
            k=tuple(Fraction(0) for _ in H),
        )
        self.lps += 1
        ans = self.decide(s)
        if not isinstance(ans, polyhedra.Farkas) or ans.mG[0] <= 0:
            return None
        t = ans.mG[0]
        return tuple((i, v / t) for i, v in enumerate(ans.mH) if v != 0)

    def realise(self, sigma: dict[int, str], prop: Proposal) -> Box | None:
        """Solve a :class:`Proposal` exactly: m on ``samples`` and mu on ``rows`` with
        m . p = 1, g_j = 0 for the free neurons and g_j + sum_i mu_ji s_ji x_i = 0 for the
        others on a sign branch (least squares on the support, then every equation and
        mu >= 0 checked exactly); its box, or None when the proposal does not hold exactly."""
        d = self.d
        S = list(prop.samples)
        cols: list[tuple[str, int, int]] = [("m", i, -1) for i in S]
        for j, rows in prop.rows:
            if sigma.get(j) in ("+", "-"):
                cols.extend(("mu", i, j) for i in rows)
        eqs: list[list[Fraction]] = []
        neurons = sorted(set(prop.free) | {j for j, _ in prop.rows if sigma.get(j) in ("+", "-")})
        for j in neurons:
            for l in range(d):
                row = []
                for kind, i, jj in cols:
                    if kind == "m":
                        row.append(self.xs[i][l] if self.pat.I[i][j] else Fraction(0))
                    elif jj == j and j not in prop.free:
                        row.append(_branch_sign(sigma[j]) * self.cs[i][j] * self.xs[i][l])
                    else:
                        row.append(Fraction(0))
                eqs.append(row)
        eqs.append([self.p[i] if kind == "m" else Fraction(0) for kind, i, _ in cols])
        if not cols:
            return None
        M = linalg.matrix(eqs, len(cols))
        b = linalg.column([Fraction(0)] * (len(eqs) - 1) + [Fraction(1)])
        try:
            u = linalg.to_vec((M.transpose() * M).solve(M.transpose() * b))
        except Exception:  # noqa: BLE001 - flint: a singular normal matrix, the support is not a basis
            return None
        if linalg.to_vec(M * linalg.column(u)) != [Fraction(0)] * (len(eqs) - 1) + [Fraction(1)]:
            return None
        fit: dict[int, Fraction] = {}
        mu: dict[int, dict[int, Fraction]] = {}
        for (kind, i, j), v in zip(cols, u, strict=True):
            if v == 0:
                continue
            if kind == "m":
                fit[i] = v
            elif v < 0:
                return None
            else:
                mu.setdefault(j, {})[i] = v
        # learn recomputes g_j exactly; the equations above hold for every neuron on a sign
        # branch that is not free, and a neuron on a sign branch outside ``neurons`` must be free
        box = self.learn(sigma, fit, mu)
        named = set(neurons)
        if any(sigma[j] in ("+", "-") and j not in named for j, _ in box.allowed):
            return None
        return box

    # ------------------------------------------------------------------ the test of one sigma
    def test(self, sigma: dict[int, str]) -> tuple[list[Vec] | None, Box | None]:
        """Decide sigma's system with lazily added sign rows: its blocks R (a witness) or a box."""
        d = self.d
        nz = [j for j in range(self.K) if sigma[j] != "0"]
        pos = {j: k for k, j in enumerate(nz)}
        n = d * len(nz)
        E, f = [], []
        for i, x in enumerate(self.xs):
            row = [Fraction(0)] * n
            for j in nz:
                if self.pat.I[i][j]:
                    row[pos[j] * d : (pos[j] + 1) * d] = x
            E.append(tuple(row))
            f.append(self.p[i])
        while True:
            self.budget.tick(len(nz))
            keys = [(j, i) for j in nz for i in sorted(self.rows[j])]
            G = []
            for j, i in keys:
                row = [Fraction(0)] * n
                s = _branch_sign(sigma[j]) * self.cs[i][j]
                row[pos[j] * d : (pos[j] + 1) * d] = [s * v for v in self.xs[i]]
                G.append(tuple(row))
            s_ = polyhedra.System(n=n, E=tuple(E), f=tuple(f), G=tuple(G), h=tuple(Fraction(0) for _ in G))
            self.lps += 1
            ans = self.decide(s_)
            if isinstance(ans, polyhedra.Farkas):
                fit = {i: m for i, m in enumerate(ans.mE) if m != 0}
                mu: dict[int, dict[int, Fraction]] = {}
                for (j, i), m in zip(keys, ans.mG, strict=True):
                    if m != 0:
                        mu.setdefault(j, {})[i] = m
                box = self.learn(sigma, fit, mu)
                if self.generalise is not None and len(box.allowed) > 1:
                    prop = self.generalise(self.inst, self.pat, self.p, sigma)
                    better = self.realise(sigma, prop) if prop is not None else None
                    if better is not None and len(better.allowed) < len(box.allowed):
                        return None, better
                return None, box
            R = [tuple(Fraction(0) for _ in range(d)) for _ in range(self.K)]
            for j in nz:
                R[j] = tuple(ans.v[pos[j] * d : (pos[j] + 1) * d])
            added = 0
            for j in nz:
                sg = _branch_sign(sigma[j])
                bad = sorted(
                    (sg * self.cs[i][j] * dot(R[j], x), i) for i, x in enumerate(self.xs) if i not in self.rows[j]
                )
                bad = [(v, i) for v, i in bad if v <= 0][:ROWS_PER_ROUND]
                for _, i in bad:
                    self.rows[j].add(i)
                    added += 1
            if not added:
                return R, None

    # ------------------------------------------------------------------ the DPLL over boxes
    def propagate(self, dom: Domains) -> Domains | None:
        """Unit propagation: a box all of whose neurons but one lie inside it forces that
        neuron outside; None on a conflict (some box contains every vector of ``dom``)."""
        dom = dict(dom)
        changed = True
        while changed:
            changed = False
            for box in self.boxes:
                out = None
                sat = False
                for j, b in box.allowed:
                    dj = dom[j]
                    if not dj & b:
                        sat = True
                        break
                    if not dj <= b:
                        if out is not None:
                            out = -1
                            break
                        out = j
                if sat or out == -1:
                    continue
                if out is None:
                    return None
                allowed = dict(box.allowed)[out]
                dom[out] = dom[out] - allowed
                changed = True
        return dom

    def order(self, j: int) -> list[str]:
        first = "+" if self.vote[j] >= 0 else "-"
        return [first, "-" if first == "+" else "+", "0"]

    def sat(self, dom: Domains) -> dict[int, str] | None:
        """A branch vector outside every box, within ``dom``, or None (DPLL)."""
        self.budget.tick(0)
        dom2 = self.propagate(dom)
        if dom2 is None:
            return None
        open_ = [j for j in range(self.K) if len(dom2[j]) > 1]
        if not open_:
            return {j: next(iter(dom2[j])) for j in range(self.K)}
        j = min(open_, key=lambda t: (len(dom2[t]), -abs(self.vote[t])))
        for b in self.order(j):
            if b in dom2[j]:
                found = self.sat({**dom2, j: frozenset({b})})
                if found is not None:
                    return found
        return None

    # ------------------------------------------------------------------ the tree
    def tree(self, sigma: dict[int, str], count: list[int]) -> Tree:
        """Split until one box contains every completion of the path (module docstring, 4)."""
        self.budget.tick(len(sigma))
        best = None
        for box in self.boxes:
            if box.contains(sigma) and (best is None or len(box.allowed) < len(best.allowed)):
                best = box
        if best is not None:
            count[0] += 1
            if count[0] > MAX_LEAVES:
                raise _TooLarge
            return best.leaf(sigma)
        score: dict[int, Fraction] = {}
        for box in self.boxes:
            if any(j in sigma and sigma[j] not in b for j, b in box.allowed):
                continue
            rest = [j for j, _ in box.allowed if j not in sigma]
            for j in rest:
                score[j] = score.get(j, Fraction(0)) + Fraction(1, len(rest))
        if not score:  # pragma: no cover - the boxes cover every branch vector
            raise RuntimeError("no box is consistent with a path of the refutation")
        j = max(sorted(score), key=lambda t: score[t])
        kids = tuple((b, self.tree({**sigma, j: b}, count)) for b in BRANCHES)
        return Split(j, kids)

    def witness(self, sigma: dict[int, str], R: list[Vec]) -> Genuine:
        return genuine_from_blocks([sigma[j] for j in range(self.K)], R, self.zw)

    def run(self) -> tuple[Genuine | None, Tree | None, int]:
        self.sample_boxes()
        full: Domains = {j: frozenset(BRANCHES) for j in range(self.K)}
        while True:
            sigma = self.sat(full)
            if sigma is None:
                count = [0]
                return None, self.tree({}, count), count[0]
            R, box = self.test(sigma)
            if R is not None:
                return self.witness(sigma, R), None, 0
            if box is None:  # pragma: no cover - test returns a point or a box
                raise RuntimeError("the test of a branch vector returned nothing")
            if box.contains(sigma) is False:  # pragma: no cover - learn keeps sigma inside
                raise RuntimeError("a learnt box does not contain its branch vector")
            self.boxes.append(box)


class _TooLarge(Exception):
    """The refutation tree would exceed MAX_LEAVES leaves (internal; reported undecided)."""


def decide(
    inst: Instance,
    pat: Pattern,
    ms: MinimiserSet,
    zero_witness: Mat | None,
    *,
    budget: Budget | None = None,
    decide_node: Decider | None = None,
    generalise: Generaliser | None = None,
) -> Decision:
    """Decide genuineness of a feasible cell by the box search (module docstring).

    ``decide_node`` decides each open polyhedron exactly (default
    :func:`exactscape.core.polyhedra.decide`; a float-hinted decider such as
    :func:`exactscape.floats.hint.decide_hinted` lets floats propose, its answers are
    verified exactly). ``generalise`` may propose a refutation with more free neurons for each
    refuted branch vector (:class:`Proposal`, e.g. :func:`exactscape.floats.boxes.propose`); it
    is used only when solved and checked exactly and its box is larger. Returns a witness, a
    refuting tree, or an undecided :class:`~exactscape.theory.genuine.Decision` (budget or tree
    size), never "not genuine" without a tree."""
    bud = budget if budget is not None else Budget()
    search = _Search(inst, pat, ms.fitted(), zero_witness, bud, bud.bound(decide_node or polyhedra.decide), generalise)
    try:
        found, tree, leaves = search.run()
    except OutOfBudget:
        return Decision(None, None, "budget", bud.nodes, 0, undecided=True, reason="budget")
    except _TooLarge:
        return Decision(None, None, "tree-too-large", bud.nodes, 0, undecided=True, reason="tree-too-large")
    if found is not None:
        return Decision(found, None, METHOD, bud.nodes, 0)
    return Decision(None, tree, METHOD, bud.nodes, leaves)
