"""Fast paths for cells of real-data size (sklearn digits, all 1,797 samples) against the
exact paths they replace, on small instances (differential; the sizes themselves are
measured in benchmarks/trained.py, never timed here).

* the sparse null space: a dependency whose lifted coefficients do not verify is solved
  exactly on its own support; forced on every column, the minimiser set is the same;
* the dispatch: a rank-deficient A beyond the tall path's size gets the sparse null space
  (forced by zero limits) and the cell's answer agrees with the enumeration oracle;
* the engine's c-space rows on short integers (only h carries R0's denominator).
"""

from __future__ import annotations

import json
from fractions import Fraction

import flint
import oracles
import pytest
from hypothesis import HealthCheck, given, settings
from strategies import small_cells
from test_minima import oracle_cell

from exactscape import api
from exactscape.checker import check_certificate
from exactscape.core import minset
from exactscape.core.model import Instance, Pattern

F = Fraction


def _same_minimiser_set(a: minset.MinimiserSet, b: minset.MinimiserSet) -> None:
    assert (a.rank, a.loss, a.fitted()) == (b.rank, b.loss, b.fitted())
    assert a.evidence.null_pivots == b.evidence.null_pivots
    if a.Nb is None or b.Nb is None:
        assert a.Nb is None and b.Nb is None
        return
    # the same null space: each basis lies in the span of the other (equal ranks)
    both = flint.fmpz_mat(a.Nb.nrows(), a.Nb.ncols() + b.Nb.ncols(), [
        v for ra, rb in zip(a.Nb.tolist(), b.Nb.tolist(), strict=True) for v in (*ra, *rb)
    ])  # fmt: skip
    assert both.rank() == a.Nb.rank() == b.Nb.rank() == a.Nb.ncols()


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture]
)
@given(small_cells(n=(2, 7), d0=(1, 3), k=(1, 3)))
def test_support_null_vectors_agree_with_the_lift(
    monkeypatch: pytest.MonkeyPatch, cell: tuple[Instance, Pattern]
) -> None:
    """Every column forced through the exact support solve (no lift): the same rank, fitted
    values, loss and null space as the lifted echelon vectors."""
    inst, pat = cell
    nonzero = tuple(i for i in range(inst.N) if any(pat.I[i]) and any(minset.samples(inst).rows[i]))
    lifted = minset._sparse_null(inst, pat, nonzero)
    with monkeypatch.context() as m:
        m.setattr(minset, "_lift", lambda v, p: None)
        exact = minset._sparse_null(inst, pat, nonzero)
    if lifted is None:
        return
    assert exact is not None
    _same_minimiser_set(lifted, exact)
    assert exact.Nb is not None and exact.AZ is not None
    assert (exact.AZ * exact.Nb).is_zero()


def test_support_null_vector_of_a_long_dependency() -> None:
    """Column 2 = (10^12 + 1)/10^12 column 0 + column 1 / 10^12 needs coefficients beyond the
    lift's bound sqrt(p/2): the support solve gives the integer vector (10^12 + 1, 1, -10^12)."""
    t = 10**12
    AZ = flint.fmpz_mat([[t, 0, t + 1], [0, t, 1], [t, t, t + 2]])
    assert minset._support_null_vector(AZ, 2, [0, 1]) == {2: t, 0: -(t + 1), 1: -1}
    assert minset._support_null_vector(AZ, 2, [0]) is None  # no dependency on column 0 alone


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(small_cells(n=(2, 7), d0=(1, 3), k=(1, 3)))
def test_sparse_dispatch_agrees_with_enumeration(cell: tuple[Instance, Pattern]) -> None:
    """Zero limits send every cell past the tall path: wide cells with independent rows keep
    the wide path, the others get the sparse null space; rank, loss and genuineness agree
    with SymPy pinv and blind PPL enumeration, and every certificate verifies."""
    inst, pat = cell
    saved = minset.COLUMN_LIMIT, minset.TALL_LIMIT
    minset.COLUMN_LIMIT = minset.TALL_LIMIT = 0
    try:
        res = api.cell(inst, pattern=pat, engine="fast")
    finally:
        minset.COLUMN_LIMIT, minset.TALL_LIMIT = saved
    rank, loss, is_genuine = oracle_cell(inst, pat.I)
    s = res.summary
    assert (s["rank"], F(s["loss"])) == (rank, loss)
    if s["feasible"]:
        assert s["genuine"] == is_genuine
    assert check_certificate(res.certificate).verified


def _reference_leaf_ok(
    pattern: list[list[int]],
    xs: list[list[F]],
    fitted: list[F],
    sigma: dict[int, str],
    fit: list[tuple[int, F]],
    sign: list[tuple[int, int, F]],
) -> bool:
    """FORMAT 4.2 check 5 for one leaf, in Fractions (the checker's former path)."""
    k, d = len(pattern[0]), len(xs[0])
    comb = [[F(0)] * d for _ in range(k)]
    for i, m in fit:
        for j in range(k):
            if sigma.get(j) != "0" and pattern[i][j]:
                comb[j] = [a + m * b for a, b in zip(comb[j], xs[i], strict=True)]
    for j, i, m in sign:
        s = (1 if pattern[i][j] else -1) * (1 if sigma[j] == "+" else -1)
        comb[j] = [a + m * s * b for a, b in zip(comb[j], xs[i], strict=True)]
    if any(v for j in range(k) if sigma.get(j) != "0" for v in comb[j]):
        return False
    beta = sum((m * fitted[i] for i, m in fit), F(0))
    return beta >= 0 if sign else beta != 0


def test_integer_leaf_check_agrees_with_fractions() -> None:
    """The checker's leaf check in integers (common denominators) accepts exactly the leaves
    that the Fraction computation accepts: random leaves, half of them built to cancel."""
    import random

    from exactscape.checker.branchtree import check_leaf
    from exactscape.checker.errors import CertificateError
    from exactscape.checker.linalg import Fitted

    rng = random.Random(3)
    agree = accepted = 0
    for trial in range(300):
        n, k, d = rng.randint(1, 4), rng.randint(1, 3), rng.randint(1, 3)
        xs = [[F(rng.randint(-3, 3), rng.choice((1, 2, 4))) for _ in range(d)] for _ in range(n)]
        pattern = [[rng.randint(0, 1) for _ in range(k)] for _ in range(n)]
        y = [F(rng.randint(-2, 2), rng.choice((1, 3))) for _ in range(n)]
        e = [rng.randint(-5, 5) for _ in range(n)]
        den = rng.choice((1, 7, 10**30 + 3))
        fitted = Fitted(y, e, den)
        sigma = {j: rng.choice("+-0") for j in range(k)}
        fit = [
            (i, F(rng.randint(-4, 4) or 1, rng.choice((1, 3)))) for i in sorted(rng.sample(range(n), rng.randint(0, n)))
        ]
        split = [j for j in range(k) if sigma[j] != "0"]
        sign = []
        if split and rng.random() < 0.7:
            j = rng.choice(split)
            sign = [
                (j, i, F(rng.randint(1, 3), rng.choice((1, 5))))
                for i in sorted(rng.sample(range(n), rng.randint(1, n)))
            ]
        if trial % 2 and split:  # make the combination vanish: one neuron, one sample, fit = -s m
            j, i = split[0], rng.randrange(n)
            pattern[i] = [1 if jj == j else 0 for jj in range(k)]
            s = 1 if sigma[j] == "+" else -1
            sign, fit = [(j, i, F(1))], [(i, F(-s))]
        want = _reference_leaf_ok(pattern, xs, list(fitted), sigma, fit, sign)
        leaf = {"fit": [[i, str(m)] for i, m in fit], "sign": [[j, i, str(m)] for j, i, m in sign]}
        try:
            check_leaf(leaf, "leaf", sigma, pattern, xs, fitted, frozenset(), None)
            got = True
        except CertificateError:
            got = False
        agree += got == want
        accepted += got
    assert agree == 300
    assert 20 < accepted < 280  # both outcomes occur


def test_farkas_hint_without_the_cap_row() -> None:
    """v > 3 and -4 v > 0: HiGHS sees the rows scaled by powers of two, so its beta sits on the
    cap beta <= 1 while the exact multipliers (4/5, 1/5) on the unscaled rows have beta = 12/5;
    the cap row made the exact support system inconsistent and the hint was lost (the
    decision fell back to the exact simplex; on digits all K = 32 every node did)."""
    from exactscape.core import polyhedra
    from exactscape.floats import hint

    s = polyhedra.System(n=1, G=((F(1),), (F(-4),)), h=(F(3), F(0)))
    cert = hint._farkas_hint(s, *hint._arrays(s))
    assert cert is not None and s.verify_farkas(cert)
    assert cert.mG == (F(4, 5), F(1, 5))


def test_farkas_ray_on_a_support_of_two_rays() -> None:
    """A float support holding two rays (v1 > 1, -v1 > 0 and v2 > 1, -v2 > 5): its null space is
    two-dimensional, so one row is dropped and the exact ray (0, 0, 1, 1) with beta = 6 is found."""
    from exactscape.core import polyhedra
    from exactscape.floats import hint

    G = ((F(1), F(0)), (F(-1), F(0)), (F(0), F(1)), (F(0), F(-1)))
    s = polyhedra.System(n=2, G=G, h=(F(1), F(0), F(1), F(5)))
    cert = hint._ray_on_support(s, list(G), [0, 1, 2, 3], [0, 1, 2, 3], 0, 4, 0)
    assert cert is not None and s.verify_farkas(cert)
    assert cert.mG == (0, 0, 1, 1)


def _implied_cells() -> list[tuple[Instance, Pattern]]:
    """Small cells with a rank-deficient tall A (null space in the certificate) that the fast
    engine refutes by a tree: K = 2..3 neurons, dependent samples."""
    import random

    from exactscape.theory.minima import analyse_cell

    rng = random.Random(11)
    out: list[tuple[Instance, Pattern]] = []
    while len(out) < 6:
        N, d0, K = rng.randint(4, 8), rng.randint(1, 2), rng.randint(2, 3)
        X = tuple(tuple(F(rng.randint(-3, 3)) for _ in range(d0)) for _ in range(N))
        y = tuple(F(rng.randint(-3, 3)) for _ in range(N))
        inst = Instance(X=X, y=y, bias=True)
        pat = Pattern(tuple(tuple(rng.randint(0, 1) for _ in range(K)) for _ in range(N)))
        a = analyse_cell(inst, pat, engine="fast")
        ms = a.ms
        if a.feasibility.feasible and a.tree is not None and ms is not None and ms.evidence.null_pivots is not None:
            out.append((inst, pat))
    return out


def test_implied_leaves_agree_with_fit_leaves(monkeypatch: pytest.MonkeyPatch) -> None:
    """Leaves with implied fit multipliers (FORMAT 1.4) from the threshold 0: the same verdict
    as the fit-multiplier leaves and the enumeration oracle, version 1.4, verified; the old
    checker path (version 1.2 said) refuses them."""
    from exactscape.io import certify
    from exactscape.theory import genuine
    from exactscape.theory.minima import analyse_cell

    cells = _implied_cells()
    for inst, pat in cells:
        old = analyse_cell(inst, pat, engine="fast")
        with monkeypatch.context() as m:
            m.setattr(genuine, "IMPLIED_RANK", 0)
            new = analyse_cell(inst, pat, engine="fast")
        assert old.genuineness.known() is new.genuineness.known() is False
        assert oracle_cell(inst, pat.I)[2] is False
        c_old, c_new = certify.cell_certificate(old), certify.cell_certificate(new)
        assert c_old["version"] == "1.2" and c_new["version"] == "1.4"
        assert "fit" not in json.dumps(c_new["genuineness"])
        assert check_certificate(c_old).verified and check_certificate(c_new).verified
        assert not check_certificate({**c_new, "version": "1.2"}).verified


def _implied_leaf_true(inst: Instance, pat: Pattern, sigma: dict[int, str], leaf: dict[str, object]) -> bool:
    """Independent re-derivation (SymPy) of an implied leaf: its multipliers have the signs and
    neurons FORMAT 4.2 asks for, some m solves A^T m = -w, and beta = m . p (p = A A^+ y)."""
    import sympy
    from test_minima import _design

    K, d = pat.K, inst.d
    w = [F(0)] * (K * d)
    signs = [(int(j), int(i), F(m)) for j, i, m in leaf["sign"]]  # type: ignore[union-attr]
    zeros = [(int(j), int(l), F(m)) for j, l, m in leaf["zero"]]  # type: ignore[union-attr]
    for j, i, m in signs:
        if sigma.get(j) not in ("+", "-") or m <= 0:
            return False
        s = (1 if pat.I[i][j] else -1) * (1 if sigma[j] == "+" else -1)
        for l, v in enumerate(inst.xs[i]):
            w[j * d + l] += m * s * v
    for j, _l, m in zeros:
        if sigma.get(j) != "0" or not m:
            return False
    for j, l, m in zeros:
        w[j * d + l] += m
    A = sympy.Matrix([[sympy.Rational(v.numerator, v.denominator) for v in row] for row in _design(inst, pat.I)])
    rhs = sympy.Matrix([-sympy.Rational(v.numerator, v.denominator) for v in w])
    try:
        sol, params = A.T.gauss_jordan_solve(rhs)
    except ValueError:  # no solution
        return False
    m = sol.subs({t: 0 for t in params})
    y = sympy.Matrix([sympy.Rational(v.numerator, v.denominator) for v in inst.y])
    beta = (m.T * (A * A.pinv() * y))[0, 0]
    return bool(beta >= 0) if signs else bool(beta != 0)


def _tree_true(inst: Instance, pat: Pattern, node: object, sigma: dict[int, str], seen: frozenset[int]) -> bool:
    """Every branch vector covered (splits of unsplit neurons into +, -, 0) and every leaf true."""
    if not isinstance(node, dict):
        return False
    if set(node) == {"leaf"}:
        leaf = node["leaf"]
        return isinstance(leaf, dict) and set(leaf) == {"sign", "zero"} and _implied_leaf_true(inst, pat, sigma, leaf)
    j = node.get("split")
    if set(node) != {"split", "+", "-", "0"} or not isinstance(j, int) or j in seen or not 0 <= j < pat.K:
        return False
    return all(_tree_true(inst, pat, node[b], {**sigma, j: b}, seen | {j}) for b in "+-0")


def test_implied_leaf_corruptions_are_rejected(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every single-field corruption of the tree of a 1.4 certificate with implied leaves is
    rejected, never a crash, unless it is still true: the mutant's tree is re-derived
    independently (SymPy: fit multipliers exist, beta's sign) and must then be a refutation."""
    from mutations import mutants

    from exactscape.io import certify
    from exactscape.theory import genuine
    from exactscape.theory.minima import analyse_cell

    inst, pat = _implied_cells()[0]
    monkeypatch.setattr(genuine, "IMPLIED_RANK", 0)
    cert = certify.cell_certificate(analyse_cell(inst, pat, engine="fast"))
    assert _tree_true(inst, pat, cert["genuineness"]["tree"], {}, frozenset())
    rejected = total = 0
    for name, mutant in mutants(cert):
        if not name.startswith("genuineness/") or mutant["genuineness"] == cert["genuineness"]:
            continue
        total += 1
        if not check_certificate(mutant).verified:
            rejected += 1
            continue
        assert _tree_true(inst, pat, mutant["genuineness"]["tree"], {}, frozenset()), name
    assert total > 50 and rejected > total // 2


def test_curve_loss_change_in_integers_agrees_with_fractions() -> None:
    """FORMAT 5.3's L(t) - L(0), computed by the checker in integer polynomials, equals the
    Fraction computation (the checker's former path) on random curves, [.]_+ cases included."""
    import random

    from exactscape.checker import poly
    from exactscape.checker.curves import _loss_change

    rng = random.Random(5)

    def q() -> F:
        return F(rng.randint(-4, 4), rng.choice((1, 2, 3, 16)))

    for _ in range(200):
        n, k, d = rng.randint(1, 4), rng.randint(1, 3), rng.randint(1, 3)
        xs = [[q() for _ in range(d)] for _ in range(n)]
        y = [q() for _ in range(n)]
        z_t = [poly.trim([q() for _ in range(rng.randint(1, 3))]) for _ in range(k)]
        w_t = [[poly.trim([q() for _ in range(rng.randint(1, 3))]) for _ in range(d)] for _ in range(k)]
        loss = q() ** 2
        total: poly.Poly = []
        for x, yi in zip(xs, y, strict=True):
            out: poly.Poly = []
            for zj, wj in zip(z_t, w_t, strict=True):
                pre: poly.Poly = []
                for coord, xl in zip(wj, x, strict=True):
                    pre = poly.add(pre, poly.scale(xl, coord))
                out = poly.add(out, poly.mul(zj, poly.positive_part(pre)))
            err = poly.sub(out, poly.const(yi))
            total = poly.add(total, poly.mul(err, err))
        want = poly.sub(poly.scale(F(1, n), total), poly.const(loss))

        class _Inst:
            pass

        fake = _Inst()
        fake.xs, fake.y, fake.n = xs, y, n  # type: ignore[attr-defined]
        assert _loss_change(z_t, w_t, fake, loss) == want  # type: ignore[arg-type]


def test_packed_modular_determinant_agrees_with_plain_elimination() -> None:
    """The checker's packed elimination (rows shrinking as columns are eliminated) decides
    det != 0 mod p as plain elimination over F_p does, on random and on singular matrices."""
    import random

    from exactscape.checker.linalg import det_mod_nonzero

    rng = random.Random(9)
    seen = set()
    for _ in range(300):
        p = rng.choice((2, 3, 7, 32749, 2305843009213693951))
        n = rng.randint(0, 7)
        rows = [[rng.randint(-2, 2) for _ in range(n)] for _ in range(n)]
        if n > 1 and rng.random() < 0.3:  # a dependent row
            rows[-1] = [a + 2 * b for a, b in zip(rows[0], rows[1], strict=True)]
        want = oracles.det_mod_nonzero_plain(rows, p)
        seen.add(want)
        assert det_mod_nonzero(rows, p) == want
    assert seen == {True, False}


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(small_cells(n=(2, 7), d0=(1, 3), k=(1, 3)))
def test_null_vectors_on_their_support_agree_with_the_product(cell: tuple[Instance, Pattern]) -> None:
    """The sparse check A_Z n = 0 agrees with the dense integer product, on the true null
    space and on it with one entry changed."""
    inst, pat = cell
    AZ = minset.design_integers(inst, pat)
    ns, nullity = AZ.nullspace()
    if nullity == 0:
        return
    Nb = flint.fmpz_mat(AZ.ncols(), nullity, [ns[i, k] for i in range(AZ.ncols()) for k in range(nullity)])
    assert minset._null_vectors_hold(inst, pat, Nb) is True
    bad = flint.fmpz_mat(Nb)
    bad[0, 0] += 1
    assert minset._null_vectors_hold(inst, pat, bad) is (AZ * bad).is_zero()


@pytest.mark.parametrize("implied_rank", [0, 10**9])
def test_constant_sample_refutation_agrees_with_the_lazy_tree(
    monkeypatch: pytest.MonkeyPatch, implied_rank: int
) -> None:
    """Cells refuted on constant samples (no LP) are refuted by the lazy-LP tree too (the
    refutation switched off) and by the enumeration oracle; both certificates verify, with
    implied leaves (threshold 0) or fit multipliers."""
    import random

    from exactscape.io import certify
    from exactscape.theory import genuine
    from exactscape.theory.minima import analyse_cell

    monkeypatch.setattr(genuine, "IMPLIED_RANK", implied_rank)
    rng = random.Random(21)
    fired = tried = 0
    while fired < 4 and tried < 1000:
        tried += 1
        N, d0, K = rng.randint(4, 8), rng.randint(1, 2), rng.randint(2, 3)
        X = tuple(tuple(F(rng.randint(-2, 2)) for _ in range(d0)) for _ in range(N))
        y = tuple(F(rng.randint(-3, 3)) for _ in range(N))
        inst = Instance(X=X, y=y, bias=True)
        pat = Pattern(tuple(tuple(rng.randint(0, 1) for _ in range(K)) for _ in range(N)))
        a = analyse_cell(inst, pat, engine="fast")
        if a.method != "constant-samples":
            continue
        fired += 1
        with monkeypatch.context() as m:
            m.setattr(genuine._Engine, "constant_refutation", lambda self: None)
            b = analyse_cell(inst, pat, engine="fast")
        assert a.genuineness.known() is b.genuineness.known() is oracle_cell(inst, pat.I)[2] is False
        assert check_certificate(certify.cell_certificate(a)).verified
        assert check_certificate(certify.cell_certificate(b)).verified
    assert fired >= 2  # the refutation did fire (a test that cannot fail is no test)
