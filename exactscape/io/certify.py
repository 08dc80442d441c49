"""Certificates from decisions (proofs/FORMAT.md sections 3-5).

The producer's side of the contract: every verdict becomes a JSON object in
the canonical exact form, which :mod:`exactscape.checker` (standard library
only) replays. :func:`self_check` runs that checker on every certificate the
producer writes, so a producer bug surfaces as an error, never as a verdict.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..core.linalg import RankFactorisation
from ..core.minset import MinimiserSet
from ..core.numbers import CERTIFICATE_DIGITS, find_overlong, fmt, fmt_mat, fmt_vec
from ..errors import InputError, InternalError
from ..landscape.point import PointVerdict
from ..theory.boundary import FaceAnalysis
from ..theory.branches import Genuine
from ..theory.census import CensusCell, CensusLeaf, CensusNode
from ..theory.finsler import FinslerRefutation
from ..theory.local import NeuronProof
from ..theory.minima import CellAnalysis, Leaf, Tree
from ..theory.quadratic import QuadraticRefutation
from ..theory.saddles import SaddleAnalysis

if TYPE_CHECKING:
    from ..checker import CheckResult

FORMAT = "exactscape-certificate"
VERSION = "1.0"
VERSION_1_2 = "1.2"  # the rank evidence and minimiser forms of FORMAT 4.2 (new in 1.2)
VERSION_1_4 = "1.4"  # quadratic refutations (FORMAT 4.3) and leaves with implied fit multipliers (4.2 check 5)


def envelope(kind: str, instance_json: dict[str, Any], claim: dict[str, Any]) -> dict[str, Any]:
    return {"format": FORMAT, "version": VERSION, "kind": kind, "instance": instance_json, "claim": claim}


def within_limits(cert: dict[str, Any]) -> dict[str, Any]:
    """Refuse (exit 2) a certificate that would hold a numerator or denominator
    of more than CERTIFICATE_DIGITS digits: the checker reads no longer integers
    (FORMAT.md 1), so such an answer cannot be certified. Returns ``cert``."""
    hit = find_overlong(cert)
    if hit is not None:
        path, marker = hit
        raise InputError(
            f"the {cert.get('kind', '')} certificate would need a number of about {marker.digits} digits at "
            f"{path}, beyond the limit of {CERTIFICATE_DIGITS} digits per numerator and denominator "
            "(proofs/FORMAT.md 1); use input numbers with fewer digits"
        )
    return cert


def tree_json(t: Tree, face: bool = False) -> dict[str, Any]:
    """A branch tree (FORMAT 4.2 check 5, 7.2, 8.2): a split names its neuron and maps
    each branch it has to a subtree; a leaf lists its fit and sign multipliers
    and, for boundary leaves (``face``), the multiplier of the face equation."""
    if isinstance(t, Leaf) and t.implied:
        return {
            "leaf": {"sign": [[j, i, fmt(m)] for j, i, m in t.sign], "zero": [[j, l, fmt(m)] for j, l, m in t.zero]}
        }
    if isinstance(t, Leaf):
        leaf: dict[str, Any] = {"fit": [[i, fmt(m)] for i, m in t.fit]}
        if face:
            leaf["face"] = fmt(t.extra[0][1] if t.extra else 0)
        leaf["sign"] = [[j, i, fmt(m)] for j, i, m in t.sign]
        return {"leaf": leaf}
    node: dict[str, Any] = {"split": t.neuron}
    for b, sub in t.children:
        node[b] = tree_json(sub, face)
    return node


def _has_implied_leaf(t: Tree) -> bool:
    """Does the tree hold a leaf with implied fit multipliers (FORMAT 4.2 check 5, new in 1.4)?"""
    if isinstance(t, Leaf):
        return t.implied
    return any(_has_implied_leaf(sub) for _, sub in t.children)


def rank_json(fac: RankFactorisation | None, nrows: int) -> dict[str, Any]:
    """``{basis_rows, combinations}`` of a rank factorisation A = C A_B of an
    ``nrows``-row matrix (FORMAT 4.2 check 3): every row outside the basis B
    as its combination of the basis rows; no factor means A = 0."""
    if fac is None:
        return {"basis_rows": [], "combinations": [[i, []] for i in range(nrows)]}
    basis = set(fac.basis)
    return {
        "basis_rows": list(fac.basis),
        "combinations": [[i, fmt_vec(fac.combination(i))] for i in range(nrows) if i not in basis],
    }


def cell_claim(a: CellAnalysis) -> dict[str, Any]:
    """The claim of a cell certificate (FORMAT 4.1). ``genuine`` is true or false for a
    decided cell and None (JSON null) for an undecided one, which has no certificate."""
    return {
        "feasible": a.feasibility.feasible,
        "rank": a.rank,
        "kind": a.kind,
        "dimension": a.dimension,
        "loss": fmt(a.loss),
        "genuine": a.genuineness.known(),
        "branches": list(a.genuine.branches) if a.genuine else None,
    }


def _minimiser_set_fields(cert: dict[str, Any], a: CellAnalysis) -> None:
    """The evidence of FORMAT 4.2 checks 1-4 (pattern, feasibility, rank, minimiser) into ``cert``."""
    cert["pattern"] = a.pattern.to_json()
    f = a.feasibility
    if f.feasible:
        cert["feasibility"] = {"witness": fmt_mat(f.witness or ())}
    else:
        cert["feasibility"] = {"neuron": f.neuron, "multipliers": [[i, fmt(m)] for i, m in f.multipliers]}
    if a.ms is not None:
        cert["version"] = VERSION_1_2
        cert["rank"], cert["minimiser"] = _minset_json(a.ms)
    else:
        lsq = a.least_squares()
        cert["rank"] = rank_json(lsq.factor, a.instance.N)
        cert["minimiser"] = {"u": fmt_vec(lsq.u)}


def cell_certificate(a: CellAnalysis) -> dict[str, Any]:
    """Certificate of kind ``cell`` (FORMAT 4)."""
    cert = envelope("cell", a.instance.to_json(), cell_claim(a))
    if a.undecided:
        raise InternalError("an undecided cell has no certificate")
    _minimiser_set_fields(cert, a)
    f = a.feasibility
    if f.feasible:
        if a.genuine is not None:
            cert["genuineness"] = {"z": fmt_vec(a.genuine.z), "w": fmt_mat(a.genuine.w)}
        elif a.tree is not None:
            cert["genuineness"] = {"tree": tree_json(a.tree)}
            if _has_implied_leaf(a.tree):
                cert["version"] = VERSION_1_4
        elif a.quadratic is not None:
            cert["version"] = VERSION_1_4
            cert["genuineness"] = {"quadratic": quadratic_json(a.quadratic)}
        else:
            raise InternalError("a feasible cell has neither a witness nor a tree")
    return within_limits(cert)


VERSION_1_3 = "1.3"


def quadratic_json(q: QuadraticRefutation | FinslerRefutation) -> dict[str, Any]:
    """A quadratic refutation (FORMAT 4.3, new in 1.4): multipliers, R0, the null basis, epsilon;
    or the Finsler form: multipliers, epsilon, rho, and the factor L D L^T (numerators over 2^bits)."""
    if isinstance(q, FinslerRefutation):
        return {
            "mu": [[j, i, k, fmt(m)] for j, i, k, m in q.mu],
            "epsilon": fmt(q.epsilon),
            "rho": fmt(q.rho),
            "bits": q.bits,
            "L": [list(row) for row in q.L],
            "D": list(q.D),
        }
    return {
        "mu": [[j, i, k, fmt(m)] for j, i, k, m in q.mu],
        "R0": fmt_mat(q.R0),
        "null": {"vectors": [fmt_mat(v) for v in q.null], "pivots": list(q.pivots)},
        "epsilon": fmt(q.epsilon),
    }


def branches_certificate(
    a: CellAnalysis, vectors: list[tuple[str, ...]], genuine: Genuine | None, leaves: list[Leaf] | None
) -> dict[str, Any]:
    """Certificate of kind ``branches`` (FORMAT 13, new in 1.3): is some minimiser of the cell
    genuine with a branch vector in ``vectors``? A witness whose branch vector is in the set,
    or one Farkas leaf per vector (or the cell's Farkas certificate when it is empty)."""
    feasible = a.feasibility.feasible
    if genuine is not None and genuine.branches not in vectors:
        raise InternalError("the witness's branch vector is not in the set")
    claim = {
        "feasible": feasible,
        "loss": fmt(a.loss),
        "branch_vectors": [list(v) for v in vectors],
        "genuine": genuine is not None,
        "branches": list(genuine.branches) if genuine is not None else None,
    }
    cert = envelope("branches", a.instance.to_json(), claim)
    _minimiser_set_fields(cert, a)
    cert["version"] = VERSION_1_3
    if feasible:
        if genuine is not None:
            cert["genuineness"] = _weights_json(genuine.z, genuine.w)
        elif leaves is not None and len(leaves) == len(vectors):
            cert["genuineness"] = {"leaves": [tree_json(leaf)["leaf"] for leaf in leaves]}
        else:
            raise InternalError("a feasible cell needs a witness or one leaf per branch vector")
    return within_limits(cert)


def _minset_json(ms: MinimiserSet) -> tuple[dict[str, Any], dict[str, Any]]:
    """Rank evidence and minimiser of format 1.2 (FORMAT 4.2 checks 3 and 4)."""
    ev = ms.evidence
    rank: dict[str, Any] = {
        "basis_rows": list(ev.basis),
        "minor": {"columns": list(ev.columns), "modulus": ev.modulus},
    }
    d, K = ms.d, ms.K
    if ev.null_pivots is not None and ms.Nb is not None:
        cols = ms.Nb.transpose().tolist()
        rank["null_space"] = {
            "vectors": [[[str(v) for v in col[j * d : (j + 1) * d]] for j in range(K)] for col in cols],
            "pivots": list(ev.null_pivots),
        }
    R = ms.R0()
    minimiser: dict[str, Any] = {} if R is None else {"R": [fmt_vec(R[j * d : (j + 1) * d]) for j in range(K)]}
    return rank, minimiser


def dumps(cert: dict[str, Any]) -> str:
    """The certificate as text (stable key order, one trailing newline)."""
    return json.dumps(cert, indent=1) + "\n"


def replay(cert: dict[str, Any]) -> CheckResult:
    """The independent checker's result on ``cert``, read back from its JSON text."""
    from ..checker import check_certificate

    return check_certificate(json.loads(json.dumps(cert)))


def self_check(cert: dict[str, Any]) -> list[str]:
    """Replay ``cert`` with the independent checker; raise if it is rejected."""
    res = replay(cert)
    if not res.verified:
        raise InternalError(f"the independent checker rejected the producer's certificate: {res.reason}")
    return list(res.lines)


def write(cert: dict[str, Any], path: str | Path, protected: tuple[Path, ...] = ()) -> Path:
    """Write ``cert`` to ``path`` through :func:`exactscape.io.outputs.write_text`:
    never over an input (``protected``), a link, a special file or a file that
    is not an exactscape certificate; atomically, through a fresh temporary file."""
    from . import outputs

    return outputs.write_text(Path(path), dumps(cert), inputs=protected, may_replace=outputs.CERTIFICATE)


def point_certificate(v: PointVerdict) -> dict[str, Any]:
    """Certificate of kind ``point`` (FORMAT 5)."""
    cert = envelope("point", v.instance.to_json(), {"verdict": v.verdict, "loss": fmt(v.loss)})
    if v.on_hyperplanes:  # points on a hyperplane are decided by the rules of 1.1 (FORMAT 5.4)
        cert["version"] = "1.1"
    if v.general:  # and outside Theorem 3 by those of 1.3 (FORMAT 5.5)
        cert["version"] = "1.3"
    cert["weights"] = v.weights.to_json()
    if v.verdict == "not-covered":
        cert["on_hyperplanes"] = [[j, i] for j, i in v.on_hyperplanes]
    if v.verdict == "non-differentiable-local-minimum" and v.boundary is not None and v.lam is not None:
        k, n = v.boundary
        cert["kkt"] = {"neuron": k, "sample": n, "lambda": fmt(v.lam)}
    if v.groups is not None:
        cert["bound"] = {"groups": [list(g) for g in v.groups]}
    if v.local:
        cert["local"] = [_neuron_proof_json(p) for p in v.local]
    if v.descent is not None:
        cert["descent"] = v.descent.to_json()
    if v.ascent is not None:
        cert["ascent"] = v.ascent.to_json()
    return within_limits(cert)


def _local_tree_json(t: CensusNode, samples: tuple[int, ...]) -> dict[str, Any]:
    """A sign tree over a neuron's boundary samples (FORMAT 5.5): splits name samples,
    Gordan leaves are keyed by depth."""
    if isinstance(t, CensusLeaf):
        return {"empty": [[i, fmt(m)] for i, m in t.multipliers]}
    if isinstance(t, CensusCell):
        return {"piece": t.index}
    return {
        "split": samples[t.sample],
        "+": _local_tree_json(t.plus, samples),
        "-": _local_tree_json(t.minus, samples),
    }


def _neuron_proof_json(p: NeuronProof) -> dict[str, Any]:
    """Lemma D's condition (2) for one neuron: per required sign, ``alpha`` or ``pieces`` and ``tree``."""
    out: dict[str, Any] = {}
    for sp in p.proofs:
        if sp.alpha is not None:
            proof: dict[str, Any] = {"alpha": [[i, fmt(a)] for i, a in sp.alpha]}
        else:
            if sp.tree is None:
                raise InternalError("a piecewise proof without its sign tree")
            proof = {
                "pieces": [
                    {"active": list(pc.active), "witness": fmt_vec(pc.witness), "mu": [[i, fmt(m)] for i, m in pc.mu]}
                    for pc in sp.pieces
                ],
                "tree": _local_tree_json(sp.tree, p.samples),
            }
        out["+" if sp.sign > 0 else "-"] = proof
    return out


# ------------------------------------------------------- version 1.1 kinds

VERSION_1_1 = "1.1"


def _weights_json(z: Any, w: Any) -> dict[str, Any]:
    return {"z": fmt_vec(z), "w": fmt_mat(w)}


def saddle_claim(a: SaddleAnalysis) -> dict[str, Any]:
    return {
        "zero_sets": a.mode,
        "saddle": a.saddle,
        "cases": [
            {
                "zero": list(c.zero),
                "verdict": c.verdict,
                "loss": fmt(c.loss),
                "gradient_zero": c.gradient_zero,
                "dimension": c.dimension,
            }
            for c in a.cases
        ],
    }


def saddle_certificate(a: SaddleAnalysis) -> dict[str, Any]:
    """Certificate of kind ``saddle`` (FORMAT 7, new in 1.1)."""
    cert = envelope("saddle", a.instance.to_json(), saddle_claim(a))
    cert["version"] = VERSION_1_1
    cert["pattern"] = a.pattern.to_json()
    cases = []
    for c in a.cases:
        ev: dict[str, Any] = {"rank": rank_json(c.rank, a.instance.N)}
        if c.point is not None:
            ev["point"] = _weights_json(c.point.z, c.point.w)
            if c.descent is not None and c.ascent is not None:
                ev["descent"] = c.descent.to_json()
                ev["ascent"] = c.ascent.to_json()
        else:
            ev["solution"] = fmt_mat(c.solution)
            if c.cut is not None:
                ev["cut"] = {
                    "neuron": c.cut.neuron,
                    "multipliers": [[i, fmt(m)] for i, m in c.cut.multipliers],
                    "gradient": fmt(c.cut.gradient),
                }
            elif c.tree is not None:
                ev["tree"] = tree_json(c.tree)
            else:
                raise InternalError("a 'none' saddle case has neither a cut nor a tree")
        cases.append(ev)
    cert["cases"] = cases
    return within_limits(cert)


def boundary_claim(a: FaceAnalysis) -> dict[str, Any]:
    plus, minus = a.result("+"), a.result("-")
    return {
        "feasible": a.feasibility.feasible,
        "lambda": fmt(a.solution.lam),
        "e_n": fmt(a.solution.e_n),
        "loss": fmt(a.solution.loss),
        "dimension": a.solution.dimension,
        "plus": bool(plus and plus.exists),
        "minus": bool(minus and minus.exists),
    }


def boundary_certificate(a: FaceAnalysis) -> dict[str, Any]:
    """Certificate of kind ``boundary`` (FORMAT 8, new in 1.1)."""
    cert = envelope("boundary", a.instance.to_json(), boundary_claim(a))
    cert["version"] = VERSION_1_1
    cert["pattern"] = a.pattern.to_json()
    cert["neuron"] = a.neuron
    cert["sample"] = a.sample
    f = a.feasibility
    if f.feasible:
        cert["feasibility"] = {"witness": fmt_mat(f.witness or ())}
    else:
        cert["feasibility"] = {
            "neuron": f.neuron,
            "multipliers": [[i, fmt(m)] for i, m in f.multipliers],
            "equality": fmt(f.equality),
        }
    cert["solution"] = fmt_mat(a.solution.R)
    cert["rank"] = rank_json(a.solution.rank, a.instance.N + 1)
    for name, s in (("plus", "+"), ("minus", "-")):
        r = a.result(s)
        if r is None:
            continue
        if not r.condition:
            cert[name] = {"condition": "fails"}
        elif r.genuine is not None:
            cert[name] = {"witness": _weights_json(r.genuine.z, r.genuine.w)}
        elif r.tree is not None:
            cert[name] = {"tree": tree_json(r.tree, face=True)}
        else:
            raise InternalError("a boundary sign has neither a witness nor a tree")
    return within_limits(cert)
