"""Every single-field corruption of every golden certificate is rejected, and
never crashes the checker.

A corruption can leave a certificate that is still *true* (an interior witness
moved but still inside its cell, a descent curve with another coefficient that
still descends, a sample changed that no neuron sees). Such a mutant is not a
lie: it is accepted only if the producer's own, independent implementation
(flint, cdd-free exact re-derivation) confirms every claim and every piece of
evidence of the mutant. Everything else must be REJECTED.
"""

from __future__ import annotations

import json
from fractions import Fraction
from pathlib import Path
from typing import Any

import pytest
from mutations import mutants
from oracle_1_1 import still_true_1_1
from oracle_atlas import still_true_1_2 as atlas_still_true
from oracle_landscape import still_true_1_2 as landscape_still_true
from region_oracle import still_true_region

from exactscape import api
from exactscape.checker import check_certificate
from exactscape.core import linalg
from exactscape.core.curves import Curve, loss_polynomial, lowest_change
from exactscape.core.design import design_matrix, in_cell
from exactscape.core.model import Instance, Pattern, Weights, instance_from_json
from exactscape.core.numbers import parse_rational
from exactscape.core.polyhedra import Farkas
from exactscape.errors import ExactscapeError
from exactscape.theory.minima import CellSearch, Feasibility

CERTS = sorted((Path(__file__).resolve().parents[1] / "proofs" / "certificates").glob("*.cert.json"))


def _q(v: Any) -> Fraction:
    if isinstance(v, str) and "." in v:
        raise ValueError("decimal")
    return parse_rational(v, "mutant", decimals=False)


def _instance(m: dict[str, Any]) -> Instance:
    return instance_from_json({"format": "exactscape-instance", "version": 1, **m["instance"]})


def _weights(z: Any, w: Any) -> Weights:
    return Weights(tuple(_q(v) for v in z), tuple(tuple(_q(v) for v in r) for r in w))


def _curve(c: dict[str, Any]) -> Curve:
    return Curve(
        dz=tuple((int(j), tuple(_q(v) for v in cs)) for j, cs in c["dz"]),
        dw=tuple((int(j), int(l), tuple(_q(v) for v in cs)) for j, l, cs in c["dw"]),
    )


def _stationary(inst: Instance, pat: Pattern, R: list[Fraction]) -> bool:
    A = design_matrix(inst, pat)
    res = A * linalg.column(R) - linalg.column(list(inst.y))
    return all(v == 0 for v in (A.transpose() * res).entries())


def still_true(m: dict[str, Any]) -> bool:
    """The producer-side re-derivation of every claim and all evidence of ``m``."""
    if m["kind"] in ("saddle", "boundary"):  # new in 1.1
        return still_true_1_1(m)
    if m["kind"] in ("census", "infimum"):  # new in 1.2 (the atlas)
        return atlas_still_true(m)
    if m["kind"] in ("path", "spurious"):  # new in 1.2
        return landscape_still_true(m)
    if m["kind"] == "region":  # new in 1.2
        return still_true_region(m)
    if m["kind"] == "branches":  # new in 1.3
        return branches_still_true(m)
    if m["kind"] == "faces":  # new in 1.3: every listed face truly holds no local minimum
        return _faces_still_true(m)
    inst = _instance(m)
    if m["kind"] == "point":
        w = _weights(m["weights"]["z"], m["weights"]["w"])
        again = api.point(inst, w, verify=False).certificate
        if again["claim"] != m["claim"]:
            return False
        for key, sign in (("descent", -1), ("ascent", 1)):
            if key in m:
                low = lowest_change(loss_polynomial(inst, w, _curve(m[key])))
                if low is None or (low[1] > 0) != (sign > 0):
                    return False
        return True
    pat = Pattern(tuple(tuple(r) for r in m["pattern"]))
    res = api.cell(inst, pattern=pat, verify=False, engine="fast" if "minor" in m["rank"] else "auto", budget=None)
    mine, theirs = dict(res.certificate["claim"]), dict(m["claim"])
    if mine.get("genuine") and theirs.get("genuine"):  # several branch vectors may be genuine;
        mine.pop("branches"), theirs.pop("branches")  # the witness is checked below
    if mine != theirs:
        return False
    evidence = _minimiser_evidence(m, inst, pat)
    if evidence is None:
        return False
    rows, R0 = evidence
    K, d = pat.K, inst.d
    gen = m.get("genuineness")
    if gen is None:
        return True
    if "z" in gen:
        w = _weights(gen["z"], gen["w"])
        R = [w.z[j] * v for j in range(K) for v in w.w[j]]
        return all(in_cell(inst, pat, j, w.w[j]) for j in range(K)) and _stationary(inst, pat, R)
    fitted = [sum((rows[i][c] * R0[c] for c in range(K * d)), Fraction(0)) for i in range(inst.N)]
    if "quadratic" in gen:  # new in 1.4
        return m.get("version") == "1.4" and _quadratic_still_true(gen["quadratic"], inst, pat, rows, fitted)
    search = CellSearch(inst, pat, fitted, Feasibility(True))

    def leaf_ok(leaf: dict[str, Any], sigma: dict[int, str]) -> bool:
        system, _, keys = search.system(sigma)
        fit = {int(i): _q(v) for i, v in leaf["fit"]}
        sign = {(int(j), int(i)): _q(v) for j, i, v in leaf["sign"]}
        cert = Farkas(
            tuple(fit.get(i, Fraction(0)) for i in range(inst.N)),
            tuple(sign.get(k, Fraction(0)) for k in keys),
            (),
        )
        return set(sign) <= set(keys) and system.verify_farkas(cert)

    def leaves(node: dict[str, Any], sigma: dict[int, str]) -> bool:
        if "leaf" in node:
            return leaf_ok(node["leaf"], sigma)
        j = node["split"]
        return all(leaves(node[b], {**sigma, j: b}) for b in "+-0")

    return leaves(gen["tree"], {})


def _quadratic_still_true(
    q: dict[str, Any], inst: Instance, pat: Pattern, rows: list[list[Fraction]], fitted: list[Fraction]
) -> bool:
    """FORMAT 4.3 re-derived apart from the checker: the multipliers, R0 on M, a complete null
    basis (rank by flint), epsilon > 0, and -P - epsilon e_t e_t^T positive semidefinite by the
    signs of its characteristic polynomial (a real-rooted polynomial has no negative root iff its
    coefficients alternate in sign)."""
    import flint

    d, Kd = inst.d, pat.K * inst.d
    mu = [(int(j), int(i), int(k), _q(v)) for j, i, k, v in q["mu"]]
    if not mu or any(i >= k or v <= 0 for _, i, k, v in mu) or [e[:3] for e in mu] != sorted({e[:3] for e in mu}):
        return False
    if "rho" in q:
        return _finsler_still_true(q, mu, inst, pat, rows, fitted)
    R0 = [_q(v) for blk in q["R0"] for v in blk]
    if [sum((r[c] * R0[c] for c in range(Kd)), Fraction(0)) for r in rows] != fitted:
        return False
    null = [[_q(v) for blk in vec for v in blk] for vec in q["null"]["vectors"]]
    A = design_matrix(inst, pat)
    rank = linalg.rank_factorisation(A).rank
    if len(null) != Kd - rank or any(
        any(sum((r[c] * n[c] for c in range(Kd)), Fraction(0)) for r in rows) for n in null
    ):
        return False
    if null and linalg.rank_factorisation(linalg.matrix(null, Kd)).rank != len(null):
        return False
    eps = _q(q["epsilon"])
    if eps <= 0:
        return False
    cols = [*null, R0]
    n = len(cols)

    def q_of(u: list[Fraction], v: list[Fraction]) -> Fraction:
        tot = Fraction(0)
        for j, i, k, m in mu:
            gi = [(1 if pat.I[i][j] else -1) * x for x in inst.xs[i]]
            gk = [(1 if pat.I[k][j] else -1) * x for x in inst.xs[k]]
            a = [sum((g * w for g, w in zip(gi, u[j * d : (j + 1) * d], strict=True)), Fraction(0)) for u in (u, v)]
            b = [sum((g * w for g, w in zip(gk, u[j * d : (j + 1) * d], strict=True)), Fraction(0)) for u in (u, v)]
            tot += m * (a[0] * b[1] + a[1] * b[0]) / 2
        return tot

    W = flint.fmpq_mat(n, n)
    for r in range(n):
        for c in range(n):
            v = -q_of(cols[r], cols[c]) - (eps if r == c == n - 1 else 0)
            W[r, c] = flint.fmpq(v.numerator, v.denominator)
    coeffs = [Fraction(int(c.p), int(c.q)) for c in W.charpoly().coeffs()]  # lowest degree first
    return all((c * (-1) ** (n - k)) >= 0 for k, c in enumerate(coeffs))


def _finsler_still_true(
    q: dict[str, Any],
    mu: list[tuple[int, int, int, Fraction]],
    inst: Instance,
    pat: Pattern,
    rows: list[list[Fraction]],
    fitted: list[Fraction],
) -> bool:
    """FORMAT 4.3, Finsler form, re-derived apart from the checker: epsilon > 0, rho >= 0, the
    factor's shape (integers, D >= 0), and F = -Q (+) (-epsilon) + rho [A | -p]^T [A | -p]
    positive semidefinite by the signs of its characteristic polynomial (flint)."""
    import flint

    d, Kd = inst.d, pat.K * inst.d
    if set(q) != {"mu", "epsilon", "rho", "bits", "L", "D"}:
        return False
    eps, rho = _q(q["epsilon"]), _q(q["rho"])
    bits, L, D = q["bits"], q["L"], q["D"]
    ints = [bits, *D, *(v for r in L for v in r)]
    if any(isinstance(v, bool) or not isinstance(v, int) for v in ints) or not 0 <= bits <= 256:
        return False
    if eps <= 0 or rho < 0 or len(L) != Kd + 1 or len(D) != Kd + 1 or any(v < 0 for v in D):
        return False
    if any(len(r) != i for i, r in enumerate(L)):
        return False
    n = Kd + 1
    F = [[Fraction(0)] * n for _ in range(n)]
    for j, i, k, m in mu:
        gi = [(1 if pat.I[i][j] else -1) * x for x in inst.xs[i]]
        gk = [(1 if pat.I[k][j] else -1) * x for x in inst.xs[k]]
        for a in range(d):
            for b in range(d):
                F[j * d + a][j * d + b] -= m * (gi[a] * gk[b] + gk[a] * gi[b]) / 2
    ab = [[*r, -p] for r, p in zip(rows, fitted, strict=True)]
    for a in range(n):
        for b in range(n):
            F[a][b] += rho * sum((r[a] * r[b] for r in ab), Fraction(0))
    F[n - 1][n - 1] -= eps
    W = flint.fmpq_mat(n, n, [flint.fmpq(v.numerator, v.denominator) for r in F for v in r])
    coeffs = [Fraction(int(c.p), int(c.q)) for c in W.charpoly().coeffs()]
    return all((c * (-1) ** (n - k)) >= 0 for k, c in enumerate(coeffs))


def branches_still_true(m: dict[str, Any]) -> bool:
    """Kind ``branches`` (FORMAT 13): the claim re-derived by the producer's branch search
    restricted to each listed branch vector, and the evidence re-checked independently."""
    from exactscape.theory.branches import BranchProblem, search

    inst = _instance(m)
    pat = Pattern(tuple(tuple(r) for r in m["pattern"]))
    if m.get("version") != "1.3":
        return False
    a = api.cell(inst, pattern=pat, verify=False, engine="plain", budget=None)
    claim = m["claim"]
    vectors = [tuple(v) for v in claim["branch_vectors"]]
    if len(set(vectors)) != len(vectors) or not vectors:
        return False
    feasible = a.certificate["claim"]["feasible"]
    if claim["feasible"] != feasible or claim["loss"] != a.certificate["claim"]["loss"]:
        return False
    evidence = _minimiser_evidence(m, inst, pat)
    if evidence is None:
        return False
    rows, R0 = evidence
    K, d = pat.K, inst.d
    fitted = tuple(sum((rows[i][c] * R0[c] for c in range(K * d)), Fraction(0)) for i in range(inst.N))
    truth = feasible and any(
        search(BranchProblem(inst, pat, fitted, tuple((b,) for b in v))).genuine is not None for v in vectors
    )
    if claim["genuine"] != truth:
        return False
    gen = m.get("genuineness")
    if gen is None:
        return not feasible
    if "z" in gen:
        w = _weights(gen["z"], gen["w"])
        R = [w.z[j] * v for j in range(K) for v in w.w[j]]
        br = tuple("+" if z > 0 else "-" if z < 0 else "0" for z in w.z)
        return (
            br in vectors
            and claim["branches"] == list(br)
            and all(in_cell(inst, pat, j, w.w[j]) for j in range(K))
            and _stationary(inst, pat, R)
        )
    search_ = CellSearch(inst, pat, list(fitted), Feasibility(True))
    for leaf, v in zip(gen["leaves"], vectors, strict=True):
        system, _, keys = search_.system(dict(enumerate(v)))
        fit = {int(i): _q(x) for i, x in leaf["fit"]}
        sign = {(int(j), int(i)): _q(x) for j, i, x in leaf["sign"]}
        cert = Farkas(
            tuple(fit.get(i, Fraction(0)) for i in range(inst.N)), tuple(sign.get(k, Fraction(0)) for k in keys), ()
        )
        if not (set(sign) <= set(keys) and system.verify_farkas(cert)):
            return False
    return True


def _minimiser_evidence(
    m: dict[str, Any], inst: Instance, pat: Pattern
) -> tuple[list[list[Fraction]], list[Fraction]] | None:
    """FORMAT 4.2 checks 2-4 re-derived: the witness, the rank evidence and the minimiser
    (rows of A and R0), or None when any is false."""
    K, d = pat.K, inst.d
    feas = m["feasibility"]
    if "witness" in feas:
        wit = [tuple(_q(v) for v in r) for r in feas["witness"]]
        if len(wit) != K or not all(in_cell(inst, pat, j, wit[j]) for j in range(K)):
            return None
    A = design_matrix(inst, pat)
    rows = linalg.to_rows(A)
    basis = m["rank"]["basis_rows"]
    if linalg.rank_factorisation(linalg.matrix([rows[b] for b in basis], K * d)).rank != len(basis):
        return None
    if "minor" in m["rank"]:  # format 1.2: the claimed rank is the true one (re-derived independently)
        if linalg.rank_factorisation(A).rank != len(basis):
            return None
    else:
        combos = {i: [_q(v) for v in c] for i, c in m["rank"]["combinations"]}
        if sorted(set(basis) | set(combos)) != list(range(inst.N)) or set(basis) & set(combos):
            return None
        for i, c in combos.items():
            if [sum((c[k] * rows[b][col] for k, b in enumerate(basis)), Fraction(0)) for col in range(K * d)] != rows[
                i
            ]:
                return None
    mini = m["minimiser"]
    if "u" in mini:
        u = [_q(v) for v in mini["u"]]
        R0 = [sum((u[k] * rows[b][col] for k, b in enumerate(basis)), Fraction(0)) for col in range(K * d)]
    elif "R" in mini:
        R0 = [_q(v) for blk in mini["R"] for v in blk]
    else:  # {}: the fitted values are the labels; any minimiser of the oracle will do
        R0 = list(linalg.least_squares(A, inst.y).R0)
    if not _stationary(inst, pat, R0):
        return None
    return rows, R0


def _faces_still_true(m: dict[str, Any]) -> bool:
    from exactscape.theory.local import NeuronFace, decide_face

    inst = _instance(m)
    if m["claim"]["faces"] != len(m["faces"]) or isinstance(m["claim"]["faces"], bool):
        return False
    for face in m["faces"]:
        signs = [[int(v) for v in row] for row in face["signs"]]
        if len(signs) != m["claim"]["neurons"] or any(len(r) != inst.N for r in signs):
            return False
        fcs = tuple(NeuronFace(tuple(r), tuple(Fraction(0) for _ in range(inst.d))) for r in signs)
        if decide_face(inst, fcs, tuple(int(v) for v in face["z"])).minimum:
            return False
    return True


def _producer_confirms(m: dict[str, Any]) -> bool:
    try:
        return still_true(m)
    except (ExactscapeError, KeyError, TypeError, ValueError, IndexError, ZeroDivisionError):
        return None


def test_there_are_golden_certificates() -> None:
    kinds = {json.loads(p.read_text())["kind"] for p in CERTS}
    assert len(CERTS) >= 10 and {"cell", "point"} <= kinds


# the largest golden certificates (hundreds of mutants, each re-derived): the full run only
SLOW_CERTS = {"wide-samples.cell.cert.json", "wide-samples-b.cell.cert.json", "float-closed.cell.cert.json"}


@pytest.mark.parametrize(
    "path",
    [pytest.param(p, marks=pytest.mark.slow) if p.name in SLOW_CERTS else p for p in CERTS],
    ids=[p.name for p in CERTS],
)
def test_every_single_field_corruption_is_rejected(path: Path) -> None:
    original = json.loads(path.read_text())
    assert check_certificate(original).verified
    count = 0
    for name, mutant in mutants(original):
        text = json.dumps(mutant)
        if json.loads(text) == original:
            continue  # the corruption changed nothing (e.g. swapping two equal entries)
        count += 1
        res = check_certificate(json.loads(text, parse_float=lambda s: float(s)))
        assert not res.reason.startswith("internal"), (name, res.reason)  # never a crash
        assert res.verified or res.reason, name
        if res.verified:
            assert _producer_confirms(json.loads(text)), f"accepted a false certificate: {name}"
    assert count > 20


def test_the_validator_itself_rejects_lies() -> None:
    """The still-true oracle is not vacuous: it refuses changed claims."""
    cert = json.loads(CERTS[0].read_text())
    assert still_true(cert)
    lie = json.loads(json.dumps(cert))
    lie["claim"]["loss"] = "12345"
    assert not still_true(lie)
