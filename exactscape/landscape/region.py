"""``exactscape region``: the genuine set of one cell / zero set / face and one
branch vector, as an exact polyhedron, with its certificate (kind ``region``,
FORMAT.md section 9). The mathematics is in :mod:`exactscape.landscape.region_dd`.

Kinds (R-space, n = K d, R_j = z_j w_j):

* ``cell`` [15-18]: R0 = A^+ y; {A R = A R0, R_j = 0 (sigma_j = 0), s_ji x_i . R_j > 0}.
* ``saddle`` [19-21]: Z = {j : sigma_j = 0} (non-empty), R0 the least-squares
  solution on S; the same system with A R0 = A_S R0_S. Every w_j (j in Z) must
  also lie in C_j with w_j . g_j = 0: a witness is given per j, or the command
  stops and points to ``exactscape saddles``. The set is a set of saddles iff
  some g_j != 0 (else of minima).
* ``boundary`` [38-46]: the face (k, n); R0 solves the KKT system D;
  {A R = A R0, x_n . R_k = 0, R_j = 0 (sigma_j = 0), strict rows except (k, n)},
  empty outright when the sign condition [29]/[30] of sigma_k fails.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any

from ..core import linalg, polyhedra
from ..core.design import cell_sign, design_matrix
from ..core.model import Instance, Pattern, Vec
from ..core.numbers import fmt, fmt_vec
from ..errors import InputError
from ..io.certify import envelope, self_check
from ..theory.boundary import check_face, sign_condition, solve_face
from ..theory.saddles import ZeroCut, analyse_zero_set, zero_part
from .region_dd import Defining, Region, cell_defining, closure_proofs, describe, face_defining

VERSION = "1.3"  # the closure proofs of FORMAT 9.2 check 7 (new in 1.3)
KINDS = ("cell", "saddle", "boundary")


@dataclass(frozen=True)
class RegionResult:
    """A region, its JSON summary and its certificate."""

    kind: str
    branches: tuple[str, ...]
    region: Region
    condition: bool  # boundary: the sign condition; True otherwise
    saddle: bool | None  # saddle kind: some g_j != 0
    summary: dict[str, Any]
    certificate: dict[str, Any]
    checker_lines: tuple[str, ...]


def _zero_cone_witness(inst: Instance, pat: Pattern, j: int) -> Vec:
    G = tuple(tuple(cell_sign(pat, i, j) * v for v in x) for i, x in enumerate(inst.xs))
    ans = polyhedra.decide(polyhedra.System(n=inst.d, G=G, h=tuple(Fraction(0) for _ in G)))
    if isinstance(ans, polyhedra.Farkas):
        raise InputError(
            f"neuron {j} is on branch 0 but its open cone C_{j} is empty, so this cell has no genuine point "
            "with these branches (run `exactscape cell` for the certified decision)"
        )
    return ans.v


def _vec_json(v: Vec) -> list[str]:
    return fmt_vec(v)


@dataclass(frozen=True)
class _System:
    """The defining system of one region and what its certificate carries beside it: R0, a
    witness w_j in C_j per neuron on branch 0, the face's sign condition, whether the zero set
    holds saddles, and the face (kind ``boundary``)."""

    df: Defining
    R0: Vec
    zero_w: list[tuple[int, Vec]]
    condition: bool = True
    saddle: bool | None = None
    extra: dict[str, Any] = field(default_factory=dict)


def region(
    inst: Instance,
    pat: Pattern,
    branches: tuple[str, ...],
    kind: str = "cell",
    face: tuple[int, int] | None = None,
    verify: bool = True,
) -> RegionResult:
    """Compute the region of ``kind`` for the branch vector and emit its certificate."""
    pat.check_against(inst)
    if len(branches) != pat.K:
        raise InputError(f"expected {pat.K} branch symbols, got {len(branches)}", field="branches")
    if kind == "cell":
        sy = _cell_system(inst, pat, branches)
    elif kind == "saddle":
        sy = _saddle_system(inst, pat, branches)
    elif kind == "boundary":
        sy = _face_system(inst, pat, branches, face)
    else:
        raise InputError(f"unknown region kind {kind!r} (choose from {', '.join(KINDS)})", field="kind")
    reg = describe(sy.df)
    empty = reg.empty or not sy.condition
    claim: dict[str, Any] = {
        "region": kind,
        "branches": list(branches),
        "empty": empty,
        "dimension": reg.dimension,
        "bounded": reg.bounded if not reg.closure_empty else True,
        "vertices": len(reg.vertices),
        "rays": len(reg.rays),
        "lines": len(reg.lines),
        "facets": len(reg.facets),
    }
    if kind == "saddle":
        claim["saddle"] = sy.saddle
    cert = envelope("region", inst.to_json(), claim)
    cert["version"] = VERSION
    cert["pattern"] = pat.to_json()
    cert.update(sy.extra)
    cert["solution"] = fmt_vec(sy.R0)
    proofs = closure_proofs(reg)
    cert["closure"] = _closure_json(sy.df, reg, proofs, empty)
    cert.update(_nonempty_or_emptiness(sy, reg, proofs, empty))
    lines = tuple(self_check(cert)) if verify else ()
    summary = summary_json(inst, kind, branches, reg, empty, sy.condition, sy.saddle, sy.extra)
    return RegionResult(kind, branches, reg, sy.condition, sy.saddle, summary, cert, lines)


def _cell_system(inst: Instance, pat: Pattern, branches: tuple[str, ...]) -> _System:
    """Kind ``cell`` [15-18]: R0 = A^+ y, the minimiser set with the branch vector's sign rows."""
    lsq = linalg.least_squares(design_matrix(inst, pat), inst.y)
    R0 = tuple(lsq.R0)
    zero_w = [(j, _zero_cone_witness(inst, pat, j)) for j, b in enumerate(branches) if b == "0"]
    return _System(cell_defining(inst, pat, branches, R0), R0, zero_w)


def _saddle_system(inst: Instance, pat: Pattern, branches: tuple[str, ...]) -> _System:
    """Kind ``saddle`` [19-21]: the zero set Z = {j : sigma_j = 0}, R0 the least-squares
    solution on S, and per j in Z a witness w_j in C_j with w_j . g_j = 0."""
    Z = tuple(j for j, b in enumerate(branches) if b == "0")
    if not Z:
        raise InputError("a saddle region needs at least one neuron on branch 0 (the zero set Z)", field="branches")
    case = analyse_zero_set(inst, pat, Z)
    R0 = tuple(v for blk in case.solution for v in blk)
    df = cell_defining(inst, pat, branches, R0)
    zero_w: list[tuple[int, Vec]] = []
    for j, g in case.g:
        part = zero_part(inst, pat, j, g, None)
        if isinstance(part, ZeroCut):
            raise InputError(
                f"C_{j} misses the hyperplane w . g_{j} = 0 of [21], so zero set {list(Z)} has no genuine "
                "point (run `exactscape saddles` for the certified decision)"
            )
        zero_w.append((j, part))
    return _System(df, R0, zero_w, saddle=any(any(g) for _, g in case.g))


def _face_system(inst: Instance, pat: Pattern, branches: tuple[str, ...], face: tuple[int, int] | None) -> _System:
    """Kind ``boundary`` [38-46]: the face w_k . x_n = 0, R0 solving its KKT system, and the
    sign condition [29]/[30] of neuron k's branch."""
    if face is None:
        raise InputError("the boundary kind needs a face (a neuron and a sample)", field="face")
    k, n = face
    check_face(inst, pat.K, k, n)
    if pat.I[n][k] != 0:
        raise InputError("the face pattern must have I[n][k] = 0 (the cell on the side w_k . x_n < 0)")
    if branches[k] == "0":
        raise InputError(f"neuron {k} carries the face and needs branch + or -", field="branches")
    sol = solve_face(inst, pat, k, n)
    R0 = tuple(v for blk in sol.R for v in blk)
    df = face_defining(inst, pat, k, n, branches, R0)
    zero_w = [(j, _zero_cone_witness(inst, pat, j)) for j, b in enumerate(branches) if b == "0"]
    condition = sign_condition(branches[k], sol.lam, sol.e_n)
    return _System(df, R0, zero_w, condition=condition, extra={"face": {"neuron": k, "sample": n}})


def _closure_json(df: Defining, reg: Region, proofs: Any, empty: bool) -> dict[str, Any]:
    """The closure's H- and V-description with its proofs (FORMAT 9.2 checks 6-7)."""
    ineq = df.inequalities()

    def key_json(idx: int) -> list[int]:
        return list(ineq[idx][2])

    closure: dict[str, Any] = {
        "equations": [fmt_vec(r) for r in reg.equations],
        "facets": [key_json(i) for i in reg.facets],
        "implicit": [key_json(i) for i in reg.implicit],
        "vertices": [_vec_json(v) for v in reg.vertices],
        "rays": [_vec_json(v) for v in reg.rays],
        "lines": [_vec_json(v) for v in reg.lines],
    }

    def mults(m: tuple[tuple[Fraction, ...], tuple[Fraction, ...]]) -> dict[str, Any]:
        return {
            "equalities": [[r, fmt(v)] for r, v in enumerate(m[0]) if v != 0],
            "sign": [[*key_json(i), fmt(v)] for i, v in enumerate(m[1]) if v != 0],
        }

    if empty and not reg.closure_empty:  # P empty (or the sign condition fails), cl P not
        rel = proofs.relative_interior if proofs.relative_interior is not None else reg.interior
        if rel is None:  # pragma: no cover - closure_proofs gives one when P is empty
            raise InputError("internal: no relative interior point")
        closure["relative_interior"] = fmt_vec(rel)
    if proofs.implicit is not None:
        closure["implicit_proof"] = mults(proofs.implicit)
    if proofs.bounded is not None:
        closure["bounded_proof"] = mults(proofs.bounded)
    closure["redundant"] = [
        {
            "row": key_json(r),
            "facets": [[*key_json(f), fmt(v)] for f, v in lam],
            "equations": [[e, fmt(v)] for e, v in mu],
        }
        for r, lam, mu in proofs.redundant
    ]
    return closure


def _nonempty_or_emptiness(sy: _System, reg: Region, proofs: Any, empty: bool) -> dict[str, Any]:
    """An interior point and the branch-0 witnesses, or why the region is empty: the failing
    sign condition, or Farkas multipliers for the open (or, when cl P is empty, the closed) rows."""
    out: dict[str, Any] = {}
    if not empty:
        if reg.interior is None:  # pragma: no cover - empty covers this
            raise InputError("internal: no interior point")
        out["interior"] = fmt_vec(reg.interior)
        out["zero_witness"] = [[j, fmt_vec(w)] for j, w in sy.zero_w]
    elif not sy.condition:
        out["emptiness"] = {"condition": "fails"}
    else:
        fk = reg.farkas
        if fk is None:  # pragma: no cover
            raise InputError("internal: no emptiness certificate")
        out["emptiness"] = {
            "equalities": [[r, fmt(m)] for r, m in enumerate(fk.mE) if m != 0],
            "sign": [[*sy.df.keys[r], fmt(m)] for r, m in enumerate(fk.mG) if m != 0],
        }
    if proofs.closure_farkas is not None:  # cl P empty: Farkas multipliers for the closed rows (9.2 check 6)
        cfk = proofs.closure_farkas
        out["emptiness"] = {
            "equalities": [[r, fmt(m)] for r, m in enumerate(cfk.mE) if m != 0],
            "sign": [[*sy.df.keys[r], fmt(m)] for r, m in enumerate(cfk.mH) if m != 0],
        }
    return out


def summary_json(
    inst: Instance,
    kind: str,
    branches: tuple[str, ...],
    reg: Region,
    empty: bool,
    condition: bool,
    saddle: bool | None,
    extra: dict[str, Any],
) -> dict[str, Any]:
    """The --json object (verdict "non-empty" / "empty")."""
    ineq = reg.defining.inequalities()
    out: dict[str, Any] = {
        "verdict": "empty" if empty else "non-empty",
        "kind": kind,
        "branches": "".join(branches),
        "space": f"R in Q^{reg.n} (K blocks of d = {inst.d}: block j is R_j = z_j w_j)",
        "dimension": None if empty else reg.dimension,
        "closure_dimension": reg.dimension,
        "bounded": reg.bounded if not reg.closure_empty else True,
        "equations": [fmt_vec(r) for r in reg.equations],
        "facets": [
            {"neuron": ineq[i][2][0], "sample": ineq[i][2][1], "row": fmt_vec(ineq[i][0]), "strict": ineq[i][3]}
            for i in reg.facets
        ],
        "implicit": [list(ineq[i][2]) for i in reg.implicit],
        "redundant": [list(ineq[i][2]) for i in reg.redundant],
        "vertices": [fmt_vec(v) for v in reg.vertices],
        "rays": [fmt_vec(v) for v in reg.rays],
        "lines": [fmt_vec(v) for v in reg.lines],
        "interior": fmt_vec(reg.interior) if reg.interior is not None and not empty else None,
    }
    if kind == "boundary":
        out["sign_condition"] = condition
    if saddle is not None:
        out["saddle"] = saddle
    out.update(extra)
    return out
