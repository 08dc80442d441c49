"""The box search (theory/boxes.py) against the plain branch search.

Differential: on small cells with dependent samples and more coordinates than samples
(Kd > N > d, the shape the box search is for), the box search and the plain branch tree
agree on genuineness, and every certificate it yields (witness or tree of box leaves)
verifies with the independent checker; a corrupted leaf is rejected. The budget gives
undecided, never "not genuine".
"""

from __future__ import annotations

import copy
import random
from fractions import Fraction

import pytest

from exactscape.checker import check_certificate
from exactscape.core import minset
from exactscape.core.model import Instance, Pattern
from exactscape.io import certify
from exactscape.theory import boxes
from exactscape.theory.branches import Leaf, Split, Tree
from exactscape.theory.genuine import Budget
from exactscape.theory.minima import CellAnalysis, analyse_cell, cell_feasibility

F = Fraction


def _cell(rng: random.Random, n: tuple[int, int], d0: int, k: tuple[int, int]) -> tuple[Instance, Pattern] | None:
    """A random instance and the (feasible) pattern of random weights, None if a weight
    lies on a sample hyperplane."""
    N, K = rng.randint(*n), rng.randint(*k)
    X = tuple(tuple(F(rng.randint(-3, 3)) for _ in range(d0)) for _ in range(N))
    y = tuple(F(rng.randint(-3, 3)) for _ in range(N))
    inst = Instance(X=X, y=y, bias=True)
    W = [[F(rng.randint(-5, 5), rng.randint(1, 4)) for _ in range(inst.d)] for _ in range(K)]
    rows = []
    for x in inst.xs:
        vals = [sum((a * b for a, b in zip(x, w, strict=True)), F(0)) for w in W]
        if any(v == 0 for v in vals):
            return None
        rows.append(tuple(1 if v > 0 else 0 for v in vals))
    return inst, Pattern(tuple(rows))


def _box_analysis(inst: Instance, pat: Pattern, budget: Budget | None = None) -> CellAnalysis:
    ms = minset.minimiser_set(inst, pat)
    assert ms is not None
    feas = cell_feasibility(inst, pat)
    dec = boxes.decide(inst, pat, ms, feas.witness, budget=budget)
    return CellAnalysis(inst, pat, feas, None, dec.genuine, dec.tree, dec.nodes, ms, dec.method, dec.undecided)


def _leaves(t: Tree) -> list[Leaf]:
    if isinstance(t, Leaf):
        return [t]
    out: list[Leaf] = []
    for _, c in t.children:
        out.extend(_leaves(c))
    return out


def _dependent_cells(seed: int, count: int) -> list[tuple[Instance, Pattern]]:
    rng = random.Random(seed)
    out = []
    while len(out) < count:
        c = _cell(rng, (4, 7), rng.randint(1, 2), (2, 4))
        if c is None:
            continue
        inst, pat = c
        if pat.K * inst.d > inst.N > inst.d:
            out.append(c)
    return out


def test_box_search_agrees_with_the_plain_tree_and_its_certificates_verify() -> None:
    seen = {"genuine": 0, "refuted": 0, "learnt": 0}
    for inst, pat in _dependent_cells(3, 60):
        plain = analyse_cell(inst, pat, engine="plain")
        a = _box_analysis(inst, pat)
        assert not a.undecided and a.method == boxes.METHOD
        assert (a.genuine is None) == (plain.genuine is None)
        res = check_certificate(certify.cell_certificate(a))
        assert res.verified, res.reason
        if a.genuine is not None:
            seen["genuine"] += 1
        else:
            assert a.tree is not None
            seen["refuted"] += 1
            # a leaf with several fit multipliers came from a learnt box, not a sample box
            seen["learnt"] += any(len(leaf.fit) > 1 for leaf in _leaves(a.tree))
    # the differential covers both answers and refutations that needed learnt boxes
    assert seen["genuine"] and seen["refuted"] and seen["learnt"], seen


def _refuted_certificate() -> dict[str, object]:
    for inst, pat in _dependent_cells(5, 200):
        a = _box_analysis(inst, pat)
        if (
            a.tree is not None
            and isinstance(a.tree, Split)
            and any(len(lf.fit) > 1 and lf.sign for lf in _leaves(a.tree))
        ):
            return certify.cell_certificate(a)
    raise AssertionError("no refuted cell with a learnt leaf among the drawn cells")


def _learnt_leaf(node: dict[str, object]) -> dict[str, object]:
    """The first leaf (depth first) with several fit multipliers and a sign multiplier."""
    stack = [node]
    while stack:
        cur = stack.pop()
        if "leaf" in cur:
            leaf = cur["leaf"]
            assert isinstance(leaf, dict)
            if len(leaf["fit"]) > 1 and leaf["sign"]:
                return leaf
            continue
        stack.extend(cur[b] for b in ("+", "-", "0"))  # type: ignore[misc]
    raise AssertionError("no learnt leaf with sign multipliers")


def test_a_corrupted_box_leaf_is_rejected() -> None:
    cert = _refuted_certificate()
    assert check_certificate(cert).verified
    for change in ("fit", "sign", "drop"):
        bad = copy.deepcopy(cert)
        leaf = _learnt_leaf(bad["genuineness"]["tree"])  # type: ignore[index]
        if change == "fit":
            i, m = leaf["fit"][0]
            leaf["fit"][0] = [i, str(F(m) * 2)]
        elif change == "sign":
            j, i, m = leaf["sign"][0]
            leaf["sign"][0] = [j, i, str(F(m) * 2)]
        else:
            leaf["fit"] = leaf["fit"][1:]
        res = check_certificate(bad)
        assert not res.verified and res.reason, change


def test_sample_box_refutes_its_sample() -> None:
    """One sample with p_i > 0 and every active neuron on branch - or 0: its box contains the
    path, and its leaf (fit -1... +1 at i, sign 1 per active neuron on -) is a valid leaf."""
    inst = Instance(X=((F(1),), (F(2),), (F(-1),)), y=(F(1), F(1), F(-1)), bias=True)
    pat = Pattern(((1, 1), (1, 1), (0, 1)))
    ms = minset.minimiser_set(inst, pat)
    assert ms is not None
    s = boxes._Search(inst, pat, ms.fitted(), None, Budget(), boxes.polyhedra.decide)
    s.sample_boxes()
    box = s.boxes[0]
    assert box.contains({0: "-", 1: "0"}) and not box.contains({0: "+", 1: "0"}) and not box.contains({0: "-"})
    assert box.leaf({0: "-", 1: "0"}) == Leaf(fit=((0, F(1)),), sign=((0, 0, F(1)),))


def test_an_exhausted_budget_is_undecided_never_not_genuine() -> None:
    inst, pat = _dependent_cells(3, 1)[0]
    a = _box_analysis(inst, pat, Budget.seconds(0))
    assert a.undecided and a.genuine is None and a.tree is None and a.method == "budget"


@pytest.mark.slow
def test_analyse_cell_runs_the_box_search_on_a_wide_cell_with_dependent_samples() -> None:
    """Above the plain search's size limit, a wide A of rank above the minimiser set's column
    limit with dependent samples (no structure of theory/genuine.py applies) goes to the box
    search (it was reported "no-method" before): decided with a verified certificate, or
    undecided past the budget, never "not genuine" without a tree."""
    rng = random.Random(11)
    N, d0, K = 210, 2, 80  # N K d = 50,400 > PLAIN_LIMIT, Kd = 240 > N > d, rank A > 200
    X = tuple(tuple(F(rng.randint(-4000, 4000), 997) for _ in range(d0)) for _ in range(N))
    y = tuple(F(rng.choice((-1, 1))) for _ in range(N))
    inst = Instance(X=X, y=y, bias=True)
    W = [[F(rng.randint(-99, 99), 31) for _ in range(d0)] + [F(rng.randint(-20, 20), 7)] for _ in range(K)]
    rows = []
    for x in inst.xs:
        vals = [sum((a * b for a, b in zip(x, w, strict=True)), F(0)) for w in W]
        assert all(v != 0 for v in vals)
        rows.append(tuple(1 if v > 0 else 0 for v in vals))
    pat = Pattern(tuple(rows))
    a = analyse_cell(inst, pat, engine="auto", budget=20)
    # rank A is 202 < N = 210 here: the sparse null space (its dependencies with long
    # coefficients solved on their own supports) gives the engine a minimiser set, which
    # decides the cell by its fixed neurons; before, no minimiser set was formed
    assert a.method in (boxes.METHOD, "budget", "tree-too-large", "fixed-signs", "constant-samples", "lazy-lp"), (
        a.method
    )
    if a.undecided:
        assert a.genuine is None and a.tree is None
    else:
        assert check_certificate(certify.cell_certificate(a)).verified


def test_float_generalised_boxes_are_solved_exactly_and_verify() -> None:
    """With the float generaliser (floats/boxes.py) the answers are unchanged and every
    certificate verifies; a proposal that does not hold exactly is refused (None)."""
    from exactscape.floats.boxes import propose

    for inst, pat in _dependent_cells(8, 25):
        ms = minset.minimiser_set(inst, pat)
        assert ms is not None
        feas = cell_feasibility(inst, pat)
        plain = boxes.decide(inst, pat, ms, feas.witness)
        gen = boxes.decide(inst, pat, ms, feas.witness, generalise=propose)
        assert (plain.genuine is None) == (gen.genuine is None)
        a = CellAnalysis(inst, pat, feas, None, gen.genuine, gen.tree, gen.nodes, ms, gen.method, gen.undecided)
        assert check_certificate(certify.cell_certificate(a)).verified
    inst, pat = _dependent_cells(8, 1)[0]
    ms = minset.minimiser_set(inst, pat)
    assert ms is not None
    s = boxes._Search(inst, pat, ms.fitted(), None, Budget(), boxes.polyhedra.decide)
    sigma = {j: "+" for j in range(pat.K)}
    # every neuron free with m on one sample active on some neuron: g_j = m_i x_i != 0 there
    i = next(i for i in range(inst.N) if any(pat.I[i]))
    wrong = boxes.Proposal(samples=(i,), free=tuple(range(pat.K)), rows=())
    assert s.realise(sigma, wrong) is None
