"""Kind ``region`` (FORMAT.md 9, new in 1.2): a genuine set as an exact polyhedron.

The checker rebuilds the defining system from the instance, the pattern, the
branch vector and ``solution`` (checked first: normal equations, the saddle
equations [19], or the KKT equations [38]-[42]), then checks the listed
V-representation against it (FORMAT.md 9.2). Notation: n = K d; every vector
of the certificate is flat, block j = entries j d .. j d + d - 1 (R_j).

Defining system: equalities "fit" (A R = A R0, rows 0..N-1), "zero" (R_j = 0
for every neuron on branch 0, d rows each, neurons increasing), "face"
(x_n . R_k = 0, boundary kind only, last); strict rows
s_ji x_i . R_j > 0 for every neuron on branch + or - and every sample i
(key (j, i)), except the pair (k, n) of a face; s_ji = (2 I[i][j] - 1) sign.
"""

from dataclasses import dataclass
from fractions import Fraction

from .envelope import Instance, minor_version, parse_instance, require_1_2
from .errors import CertificateError
from .fields import array, at, compare, item, keyed, parse_pattern, record, vector
from .hyperplane import kkt
from .hyperplane import sign_condition as face_condition
from .linalg import ZERO, Vector, block_gradient, dot, fitted_and_residual, rank_of
from .numbers import boolean, describe, integer, rational, show

ROOT_FIELDS = ("format", "version", "kind", "instance", "claim", "pattern", "solution", "closure")
OPTIONAL_FIELDS = ("face", "interior", "zero_witness", "emptiness")
CLAIM_FIELDS = ("region", "branches", "empty", "dimension", "bounded", "vertices", "rays", "lines", "facets")
CLOSURE_FIELDS = ("equations", "facets", "implicit", "vertices", "rays", "lines")
# new in 1.3 (FORMAT 9.2 check 7): what proves the closure's dimension, boundedness and H-representation
CLOSURE_PROOFS = ("relative_interior", "implicit_proof", "bounded_proof", "redundant")
BRANCHES = ("+", "-", "0")

Row = tuple[Vector, Fraction]
"""(a, b): the equality a . v = b or the strict row a . v > b."""


def _branches(value: object, path: str, k: int) -> list[str]:
    out = []
    for pos, entry in enumerate(array(value, path, k)):
        if not isinstance(entry, str) or entry not in BRANCHES:
            raise CertificateError(item(path, pos), f'expected "+", "-" or "0", found {describe(entry)}')
        out.append(entry)
    return out


def _nat(value: object, path: str) -> int:
    return integer(value, path, 0)


def _system(
    inst: Instance, pattern: list[list[int]], branches: list[str], r0: Vector, face: tuple[int, int] | None
) -> tuple[list[Row], list[Row], list[tuple[int, int]]]:
    """The defining system (module docstring): equalities, strict rows, their keys."""
    k, d = len(pattern[0]), inst.d
    n = k * d
    eq: list[Row] = []
    for i, x in enumerate(inst.xs):
        a = [ZERO] * n
        for j in range(k):
            if pattern[i][j]:
                a[j * d : (j + 1) * d] = x
        eq.append((a, dot(a, r0)))
    for j, b in enumerate(branches):
        if b == "0":
            for pos in range(d):
                a = [ZERO] * n
                a[j * d + pos] = Fraction(1)
                eq.append((a, ZERO))
    if face is not None:
        fk, fn = face
        a = [ZERO] * n
        a[fk * d : (fk + 1) * d] = inst.xs[fn]
        eq.append((a, ZERO))
    strict: list[Row] = []
    keys: list[tuple[int, int]] = []
    for j, b in enumerate(branches):
        if b == "0":
            continue
        sg = 1 if b == "+" else -1
        for i, x in enumerate(inst.xs):
            if face is not None and (j, i) == face:
                continue
            a = [ZERO] * n
            s = sg * (1 if pattern[i][j] else -1)
            a[j * d : (j + 1) * d] = [s * v for v in x]
            strict.append((a, ZERO))
            keys.append((j, i))
    return eq, strict, keys


def _vectors(value: object, path: str, n: int) -> list[Vector]:
    return [vector(v, item(path, p), n) for p, v in enumerate(array(value, path))]


def _keys(value: object, path: str, keys: list[tuple[int, int]]) -> list[int]:
    """A list of [j, i] pairs naming strict rows; strictly increasing; returns row indices."""
    index = {key: r for r, key in enumerate(keys)}
    out: list[int] = []
    prev: tuple[int, int] | None = None
    for pos, entry in enumerate(array(value, path)):
        e_path = item(path, pos)
        parts = array(entry, e_path, 2)
        key = (_nat(parts[0], item(e_path, 0)), _nat(parts[1], item(e_path, 1)))
        if key not in index:
            raise CertificateError(e_path, f"({key[0]}, {key[1]}) is not a strict row of the defining system")
        if prev is not None and key <= prev:
            raise CertificateError(e_path, "keys must be strictly increasing")
        prev = key
        out.append(index[key])
    return out


def _affine_rank(points: list[Vector], directions: list[Vector], n: int) -> int:
    """dim of aff(points) + span(directions) (-1 without points)."""
    if not points:
        return -1
    base = points[0]
    rows = [[a - b for a, b in zip(p, base, strict=True)] for p in points[1:]] + [list(v) for v in directions]
    return rank_of(rows, n)


def _check_solution(
    kind: str, cert: dict[str, object], inst: Instance, pattern: list[list[int]], branches: list[str], r0: Vector
) -> tuple[tuple[int, int] | None, bool, list[tuple[int, Vector]]]:
    """FORMAT 9.2 (1): ``solution`` solves the kind's equations; returns (face, sign
    condition, [(j, g_j)] for a saddle's Z)."""
    k, d = len(pattern[0]), inst.d
    blocks = [r0[j * d : (j + 1) * d] for j in range(k)]
    _, e = fitted_and_residual(pattern, inst.xs, inst.y, blocks)
    if kind == "cell":
        for j in range(k):
            if any(block_gradient(pattern, inst.xs, e, j)):
                raise CertificateError("solution", f"normal equations fail: block {j} of A^T (A R - y) is non-zero")
        return None, True, []
    if kind == "saddle":
        zero = [j for j, b in enumerate(branches) if b == "0"]
        if not zero:
            raise CertificateError("claim.branches", "a saddle region needs a neuron on branch 0")
        gs: list[tuple[int, Vector]] = []
        for j in range(k):
            g = block_gradient(pattern, inst.xs, e, j)
            if j in zero:
                if any(blocks[j]):
                    raise CertificateError("solution", f"R_{j} must be 0 (neuron {j} is in Z)")
                gs.append((j, g))
            elif any(g):
                raise CertificateError("solution", f"[19] fails: block {j} of A_S^T (A_S R_S - y) is non-zero")
        return None, True, gs
    fields = record(cert.get("face"), "face", ("neuron", "sample"))
    fk = integer(fields["neuron"], "face.neuron", 0, k - 1)
    fn = integer(fields["sample"], "face.sample", 0, inst.n - 1)
    if pattern[fn][fk]:
        raise CertificateError("pattern", f"I[{fn}][{fk}] must be 0 (cell 1 of the face)")
    if not any(inst.xs[fn]):
        raise CertificateError("face.sample", f"x_{fn} is the zero vector")
    if branches[fk] == "0":
        raise CertificateError("claim.branches", f"neuron {fk} carries the face and needs branch + or -")
    if dot(inst.xs[fn], blocks[fk]) != 0:
        raise CertificateError("solution", f"[42] fails: x_{fn} . R_{fk} != 0")
    lam, e_n, _ = kkt(pattern, inst, blocks, fk, fn, "solution")
    return (fk, fn), face_condition(1 if branches[fk] == "+" else -1, lam, e_n), []


@dataclass(frozen=True)
class System:
    """The defining system of P (module docstring): equalities, strict rows and their
    keys, the number of columns n = K d and r, the rank of all rows."""

    eq: list[Row]
    strict: list[Row]
    keys: list[tuple[int, int]]
    n: int
    rank: int


@dataclass(frozen=True)
class Generators:
    """The listed V-representation of cl P and the listed equations of its affine hull."""

    verts: list[Vector]
    rays: list[Vector]
    lines: list[Vector]


def check_generators_in_closure(system: System, gens: Generators) -> None:
    """FORMAT 9.2 (2): every vertex satisfies the equalities and the strict rows with >=;
    rays and lines are non-zero, annihilated by the equalities, >= 0 (rays) or = 0 (lines)
    on the strict rows; vertices and rays are orthogonal to every line."""
    eq, strict, keys = system.eq, system.strict, system.keys
    for p, v in enumerate(gens.verts):
        path = item("closure.vertices", p)
        for r, (a, b) in enumerate(eq):
            if dot(a, v) != b:
                raise CertificateError(path, f"violates equality row {r}")
        for (a, b), key in zip(strict, keys, strict=True):
            if dot(a, v) < b:
                raise CertificateError(path, f"violates the closure of row {key}: value {show(dot(a, v))} < 0")
    for name, vectors in (("rays", gens.rays), ("lines", gens.lines)):
        for p, v in enumerate(vectors):
            path = item(f"closure.{name}", p)
            if not any(v):
                raise CertificateError(path, "zero vector")
            if any(dot(a, v) for a, _ in eq):
                raise CertificateError(path, "not in the direction space of the equalities")
            for a, key in zip((a for a, _ in strict), keys, strict=True):
                val = dot(a, v)
                if val < 0 or (name == "lines" and val):
                    raise CertificateError(path, f"row {key} gives {show(val)} along it")
            if name == "rays" and any(dot(v, ln) for ln in gens.lines):
                raise CertificateError(path, "not orthogonal to the lineality space")
    for p, v in enumerate(gens.verts):
        if any(dot(v, ln) for ln in gens.lines):
            raise CertificateError(item("closure.vertices", p), "not orthogonal to the lineality space")


def check_extreme(system: System, gens: Generators) -> None:
    """FORMAT 9.2 (3): the lines are a basis of the lineality space (Kd - r of them);
    every vertex has tight rows of rank r, every ray of rank r - 1; no repetition."""
    n, full_rank = system.n, system.rank
    verts, rays, lines = gens.verts, gens.rays, gens.lines
    if verts:
        if rank_of(lines, n) != len(lines) or len(lines) != n - full_rank:
            raise CertificateError(
                "closure.lines", f"must be a basis of the lineality space, of dimension {n - full_rank}"
            )
    elif lines or rays:
        raise CertificateError("closure", "rays or lines without a vertex")
    eq_a = [a for a, _ in system.eq]
    for p, v in enumerate(verts):
        tight = eq_a + [a for a, b in system.strict if dot(a, v) == b]
        if rank_of(tight, n) != full_rank:
            raise CertificateError(item("closure.vertices", p), "not extreme: its tight rows do not have full rank")
    for p, v in enumerate(rays):
        tight = eq_a + [a for a, _ in system.strict if dot(a, v) == 0]
        if rank_of(tight, n) != full_rank - 1:
            raise CertificateError(item("closure.rays", p), "not extreme: its tight rows do not have rank r - 1")
    if len(set(map(tuple, verts))) != len(verts) or len(set(map(tuple, rays))) != len(rays):
        raise CertificateError("closure", "repeated generator")
    for p in range(len(rays)):
        for q in range(p):
            if rank_of([rays[p], rays[q]], n) < 2:
                raise CertificateError(item("closure.rays", p), f"a multiple of ray {q}")


def check_affine_hull(
    claim: dict[str, object], cl: dict[str, object], system: System, gens: Generators
) -> tuple[int, list[Vector]]:
    """FORMAT 9.2 (4): the dimension D, Kd - D independent equations holding on every
    generator, the counts and ``bounded`` as claimed. Returns (D, the equations)."""
    n, verts, rays, lines = system.n, gens.verts, gens.rays, gens.lines
    dim = _affine_rank(verts, rays + lines, n)
    compare("claim.dimension", integer(claim["dimension"], "claim.dimension", -1), dim)
    e_path = "closure.equations"
    equations = _vectors(cl["equations"], e_path, n + 1)
    for p, row in enumerate(equations):
        b, a = row[0], row[1:]
        if any(b + dot(a, v) for v in verts) or any(dot(a, v) for v in rays + lines):
            raise CertificateError(item(e_path, p), "does not hold on every generator")
    if verts and (rank_of([row[1:] for row in equations], n) != len(equations) or len(equations) != n - dim):
        raise CertificateError(e_path, f"must be {n - dim} independent equations of the affine hull")
    if not verts and equations:
        raise CertificateError(e_path, "equations of an empty polyhedron")
    for name, value in (("vertices", len(verts)), ("rays", len(rays)), ("lines", len(lines))):
        compare(f"claim.{name}", _nat(claim[name], f"claim.{name}"), value)
    compare("claim.bounded", boolean(claim["bounded"], "claim.bounded"), not rays and not lines)
    return dim, equations


def check_facets(
    claim: dict[str, object], cl: dict[str, object], system: System, gens: Generators, dim: int, equations: list[Vector]
) -> tuple[int, int]:
    """FORMAT 9.2 (5): every listed facet is tight on a face of dimension D - 1, no two
    alike; every vertex and ray is extreme in the listed H-representation; every
    implicit row is tight on every generator and not a facet. Returns the two counts."""
    n, strict, keys = system.n, system.strict, system.keys
    verts, rays, lines = gens.verts, gens.rays, gens.lines
    facets = _keys(cl["facets"], "closure.facets", keys)
    compare("claim.facets", _nat(claim["facets"], "claim.facets"), len(facets))
    faces: list[tuple[tuple[int, ...], tuple[int, ...]]] = []
    for pos, r in enumerate(facets):
        path = item("closure.facets", pos)
        a, b = strict[r]
        tv = [v for v in verts if dot(a, v) == b]
        tr = [v for v in rays if dot(a, v) == 0]
        if _affine_rank(tv, tr + lines, n) != dim - 1:
            raise CertificateError(path, f"row {keys[r]} is tight on a face of dimension != {dim - 1}: not a facet")
        face_id = (
            tuple(p for p, v in enumerate(verts) if dot(a, v) == b),
            tuple(p for p, v in enumerate(rays) if dot(a, v) == 0),
        )
        if face_id in faces:
            raise CertificateError(path, "the same facet as an earlier entry")
        faces.append(face_id)
    eq_parts = [row[1:] for row in equations]
    listed = [strict[r] for r in facets]
    for p, v in enumerate(verts):
        tight = eq_parts + [a for a, b in listed if dot(a, v) == b]
        if rank_of(tight, n) != n - len(lines):
            raise CertificateError(item("closure.vertices", p), "not a vertex of the listed H-representation")
    for p, v in enumerate(rays):
        tight = eq_parts + [a for a, _ in listed if dot(a, v) == 0]
        if rank_of(tight, n) != n - len(lines) - 1:
            raise CertificateError(item("closure.rays", p), "not an extreme ray of the listed H-representation")
    implicit = _keys(cl["implicit"], "closure.implicit", keys)
    for pos, r in enumerate(implicit):
        a, b = strict[r]
        if any(dot(a, v) != b for v in verts) or any(dot(a, v) for v in rays + lines):
            raise CertificateError(item("closure.implicit", pos), f"row {keys[r]} is not tight on every generator")
        if r in facets:
            raise CertificateError(item("closure.implicit", pos), "listed as a facet too")
    return len(facets), len(implicit)


def check_open_set(
    cert: dict[str, object],
    claim: dict[str, object],
    system: System,
    gens: Generators,
    equations: list[Vector],
    inst: Instance,
    pattern: list[list[int]],
    branches: list[str],
    condition: bool,
    gs: list[tuple[int, Vector]],
) -> tuple[str, Vector | None]:
    """FORMAT 9.2 (6): non-empty (an interior point strictly inside, zero witnesses) or
    empty (the failing sign condition, or Farkas multipliers; when no vertex is listed,
    i.e. the claim says the closure is empty too, Farkas multipliers for the closed
    rows). Returns a ``c`` line and the interior point (None when empty)."""
    eq, strict, keys, n = system.eq, system.strict, system.keys, system.n
    if not boolean(claim["empty"], "claim.empty"):
        for name in ("interior", "zero_witness"):
            if name not in cert:
                raise CertificateError("", f"missing field {name!r} (the claim says non-empty)")
        if "emptiness" in cert:
            raise CertificateError("emptiness", "present although the claim says non-empty")
        if not condition:
            raise CertificateError("claim.empty", "the sign condition [29]/[30] fails, so the region is empty")
        v = vector(cert["interior"], "interior", n)
        if not gens.verts:
            raise CertificateError("closure.vertices", "empty, but the claim says the region is not")
        for p, row in enumerate(equations):
            if row[0] + dot(row[1:], v):
                raise CertificateError("interior", f"violates closure equation {p}")
        for r, (a, b) in enumerate(eq):
            if dot(a, v) != b:
                raise CertificateError("interior", f"violates equality row {r}")
        for (a, b), key in zip(strict, keys, strict=True):
            if dot(a, v) <= b:
                raise CertificateError("interior", f"row {key} is not strict: value {show(dot(a, v))}")
        _zero_witness(cert["zero_witness"], inst, pattern, branches, gs)
        return "c 6 non-empty: the interior point satisfies every strict row (z_j = +-1, w_j = +-R_j)", v
    for name in ("interior", "zero_witness"):
        if name in cert:
            raise CertificateError(name, "present although the claim says empty")
    if "emptiness" not in cert:
        raise CertificateError("", "missing field 'emptiness' (the claim says empty)")
    closure_empty = not gens.verts
    _emptiness(cert["emptiness"], eq, strict, keys, condition, (len(pattern[0]), inst.n), closure_empty)
    if closure_empty:
        return "c 6 empty, and so is the closure: Farkas multipliers (beta > 0 on the closed rows)", None
    return "c 6 empty: " + ("the sign condition fails" if not condition else "Farkas multipliers"), None


def check_region(cert: dict[str, object], log: list[str]) -> None:
    """Run the checks of FORMAT.md 9.2 in order, appending ``c`` lines to ``log``."""
    require_1_2(cert, "kind 'region'", "kind")
    record(cert, "", ROOT_FIELDS, OPTIONAL_FIELDS)
    inst = parse_instance(cert["instance"], "instance")
    log.append(inst.summary())
    pattern = parse_pattern(cert["pattern"], "pattern", inst.n)
    k, d = len(pattern[0]), inst.d
    n = k * d
    claim = record(cert["claim"], "claim", CLAIM_FIELDS, ("saddle",))
    kind = claim["region"]
    if kind not in ("cell", "saddle", "boundary"):
        raise CertificateError("claim.region", f'expected "cell", "saddle" or "boundary", found {describe(kind)}')
    if (kind == "saddle") != ("saddle" in claim):
        raise CertificateError("claim", "field 'saddle' is required for a saddle region and only there")
    if (kind == "boundary") != ("face" in cert):
        raise CertificateError("", "field 'face' is required for a boundary region and only there")
    branches = _branches(claim["branches"], "claim.branches", k)
    r0 = vector(cert["solution"], "solution", n)
    face, condition, gs = _check_solution(str(kind), cert, inst, pattern, branches, r0)
    log.append(f"c 1 solution: the {kind} equations hold; branches {''.join(branches)}")
    if kind == "saddle":
        saddle = any(any(g) for _, g in gs)
        compare("claim.saddle", boolean(claim["saddle"], "claim.saddle"), saddle)
        log.append(
            "c 1 saddle: "
            + (
                "some g_j != 0 [21]; that every point of the set is a saddle is Theorem 2, relied on, not checked "
                "here (no curves)"
                if saddle
                else "every g_j = 0: its points are local minima (the cell's normal equations hold)"
            )
        )
    eq, strict, keys = _system(inst, pattern, branches, r0, face)
    system = System(eq, strict, keys, n, rank_of([a for a, _ in eq] + [a for a, _ in strict], n))
    new = minor_version(cert) >= 3
    cl = record(cert["closure"], "closure", CLOSURE_FIELDS, CLOSURE_PROOFS if new else ())
    gens = Generators(
        _vectors(cl["vertices"], "closure.vertices", n),
        _vectors(cl["rays"], "closure.rays", n),
        _vectors(cl["lines"], "closure.lines", n),
    )
    check_generators_in_closure(system, gens)
    log.append(
        f"c 2 generators: {len(gens.verts)} vertices, {len(gens.rays)} rays, {len(gens.lines)} lines lie in the closure"
    )
    check_extreme(system, gens)
    log.append("c 3 extreme: every vertex and ray is extreme; the lines span the lineality space")
    dim, equations = check_affine_hull(claim, cl, system, gens)
    log.append(f"c 4 dimension {dim}; {len(equations)} equations of the affine hull")
    facets, implicit = check_facets(claim, cl, system, gens, dim, equations)
    log.append(f"c 5 facets: {facets} facets of the generated polyhedron; {implicit} implicit rows")
    line, interior = check_open_set(cert, claim, system, gens, equations, inst, pattern, branches, condition, gs)
    log.append(line)
    log.extend(check_closure(cl, claim, system, gens, dim, equations, interior, new, (k, inst.n)))


def _forbid(cl: dict[str, object], names: tuple[str, ...], why: str) -> None:
    for name in names:
        if name in cl:
            raise CertificateError(at("closure", name), f"present although {why}")


def _require(cl: dict[str, object], name: str, why: str) -> object:
    if name not in cl:
        raise CertificateError("closure", f"missing field {name!r} ({why})")
    return cl[name]


def check_closure(
    cl: dict[str, object],
    claim: dict[str, object],
    system: System,
    gens: Generators,
    dim: int,
    equations: list[Vector],
    interior: Vector | None,
    new: bool,
    bounds: tuple[int, int],
) -> list[str]:
    """FORMAT 9.2 (7): the closure's dimension, boundedness and H-representation.

    Every version: a non-empty open region has no implicit row and dimension
    Kd - rank(equalities), and every listed equation is a combination of the equality
    rows holding at the interior point. New in 1.3, for a non-empty closure: the
    implicit rows J are proved implicit (``implicit_proof``: multipliers > 0 on exactly
    J, free on the equality rows, combination zero, beta = 0), a point of the
    relative interior (``relative_interior``, or ``interior``) satisfies the rows of J
    with equality and every other strict row strictly, so dim cl P = Kd - rank(equality
    rows and J); the equations are combinations of those rows holding at that point;
    ``bounded_proof`` (multipliers > 0 on strict rows whose rank with the equality rows
    is Kd, combination zero) proves the recession cone {0}; ``redundant`` proves every
    strict row that is neither a facet nor implicit implied by the listed equations and
    facets."""
    implicit = _keys(cl["implicit"], "closure.implicit", system.keys)
    facets = _keys(cl["facets"], "closure.facets", system.keys)
    if dim == -1:
        return _empty_closure(cl, new)
    if interior is not None:
        _open_region_dimension(system, implicit, dim)
    if not new:
        return _closure_1_2(system, dim, equations, interior)
    _implicit_proved(cl, system, implicit, bounds)
    v = _relative_interior(cl, system, implicit, interior)
    out = [_closure_dimension(system, implicit, dim, equations, v)]
    out += _bounded(cl, claim, system, bounds)
    out.append(_h_representation(cl, system, facets, implicit, equations, bounds))
    return out


def _empty_closure(cl: dict[str, object], new: bool) -> list[str]:
    """An empty closure (check 6 proved the region empty): from 1.3 on, no proof of a
    relative interior, implicit rows or boundedness, and no redundant row."""
    if new:
        _forbid(cl, ("relative_interior", "implicit_proof", "bounded_proof"), "the closure is empty")
        if array(_require(cl, "redundant", "version 1.3"), "closure.redundant"):
            raise CertificateError("closure.redundant", "rows of an empty closure")
    return ["c 7 closure empty (check 6); bounded trivially"]


def _open_region_dimension(system: System, implicit: list[int], dim: int) -> None:
    """A non-empty open region (its interior point satisfies every strict row strictly):
    no row is implicit, and its closure has dimension Kd - rank(equality rows)."""
    if implicit:
        raise CertificateError(
            "closure.implicit", "the interior point satisfies every strict row strictly: no row is implicit"
        )
    n = system.n
    r_eq = rank_of([a for a, _ in system.eq], n)
    if dim != n - r_eq:
        raise CertificateError(
            "claim.dimension",
            f"the open region contains the interior point, so its closure has dimension Kd - rank of the "
            f"equality rows = {n - r_eq}, not {dim}",
        )


def _closure_1_2(system: System, dim: int, equations: list[Vector], interior: Vector | None) -> list[str]:
    """Version 1.2: the listed equations lie in the span of the equality rows and hold at
    the interior point (when there is one); nothing more is proved."""
    n, eq_a = system.n, [a for a, _ in system.eq]
    if interior is not None:
        _equations_in_hull(equations, eq_a, interior, n)
    tail = "boundedness or that the listed equations and facets describe the closure"
    if interior is not None:
        return [
            f"c 7 dimension {dim} of the closure (interior point, equality rows); version 1.2 does not prove {tail}"
        ]
    return [
        f"c 7 dimension {dim} of the polyhedron the listed generators span; version 1.2 does not prove the "
        f"closure's dimension, {tail}"
    ]


def _implicit_proved(cl: dict[str, object], system: System, implicit: list[int], bounds: tuple[int, int]) -> None:
    """J proved implicit: ``implicit_proof`` combines the equality rows and exactly the
    rows of J (each multiplier > 0) to 0 with beta = 0; absent when J is empty."""
    if implicit:
        comb, beta, used = combine_rows(
            _require(cl, "implicit_proof", "the implicit rows need a proof"),
            "closure.implicit_proof",
            system.eq,
            system.strict,
            system.keys,
            bounds,
        )
        if any(comb) or beta != 0 or sorted(used) != sorted(implicit):
            raise CertificateError(
                "closure.implicit_proof",
                "must combine the equality rows and exactly the implicit rows (each > 0) to 0 with beta = 0",
            )
    else:
        _forbid(cl, ("implicit_proof",), "no row is listed as implicit")


def _relative_interior(cl: dict[str, object], system: System, implicit: list[int], interior: Vector | None) -> Vector:
    """A point v of the relative interior of cl P: the open region's interior point, else
    ``relative_interior``, which satisfies every equality row, a . v = b on the rows of J
    and a . v > b on every other strict row."""
    if interior is not None:
        _forbid(cl, ("relative_interior",), "the open region is not empty (its interior point serves)")
        return interior
    v = vector(_require(cl, "relative_interior", "the closure is not empty"), "closure.relative_interior", system.n)
    for r, (a, b) in enumerate(system.eq):
        if dot(a, v) != b:
            raise CertificateError("closure.relative_interior", f"violates equality row {r}")
    jset = set(implicit)
    for r, ((a, b), key) in enumerate(zip(system.strict, system.keys, strict=True)):
        val = dot(a, v)
        if (r in jset and val != b) or (r not in jset and val <= b):
            raise CertificateError(
                "closure.relative_interior", f"row {key} gives {show(val)}: not a relative interior point"
            )
    return v


def _closure_dimension(system: System, implicit: list[int], dim: int, equations: list[Vector], v: Vector) -> str:
    """dim cl P = Kd - rank(equality rows and J), and every listed equation is a
    combination of those rows holding at the relative interior point v."""
    n = system.n
    hull = [a for a, _ in system.eq] + [system.strict[r][0] for r in implicit]
    r_hull = rank_of(hull, n)
    if dim != n - r_hull:
        raise CertificateError(
            "claim.dimension", f"the closure has dimension Kd - rank(equality and implicit rows) = {n - r_hull}"
        )
    _equations_in_hull(equations, hull, v, n)
    return f"c 7 dimension {dim} of the closure: a relative interior point and {len(implicit)} implicit rows"


def _bounded(cl: dict[str, object], claim: dict[str, object], system: System, bounds: tuple[int, int]) -> list[str]:
    """Boundedness: when the claim says bounded, ``bounded_proof`` combines rows (each
    strict multiplier > 0) to zero and the equality rows with the strict rows used have
    rank Kd, so the recession cone is {0}; absent when the claim says unbounded."""
    n, eq, strict = system.n, system.eq, system.strict
    if boolean(claim["bounded"], "claim.bounded"):
        comb, _, used = combine_rows(
            _require(cl, "bounded_proof", "the claim says bounded"),
            "closure.bounded_proof",
            eq,
            strict,
            system.keys,
            bounds,
        )
        if any(comb):
            raise CertificateError("closure.bounded_proof", "the combination of the rows is not zero")
        if rank_of([a for a, _ in eq] + [strict[r][0] for r in used], n) != n:
            raise CertificateError("closure.bounded_proof", f"the equality rows and the rows used have rank < Kd = {n}")
        return ["c 7 bounded: every recession direction is 0 (positive multipliers, full rank)"]
    _forbid(cl, ("bounded_proof",), "the claim says unbounded")
    return []


def _h_representation(
    cl: dict[str, object],
    system: System,
    facets: list[int],
    implicit: list[int],
    equations: list[Vector],
    bounds: tuple[int, int],
) -> str:
    """The listed equations and facets describe the closure: ``redundant`` proves every
    other strict row implied by them, and facets, implicit and redundant rows name every
    strict row exactly once."""
    strict = system.strict
    red = _redundant(_require(cl, "redundant", "version 1.3"), strict, system.keys, facets, equations, bounds)
    if sorted(facets + implicit + red) != list(range(len(strict))):
        raise CertificateError("closure", "facets, implicit and redundant rows must name every strict row exactly once")
    return (
        f"c 7 H-representation: {len(red)} redundant rows implied by the listed equations and facets, "
        "so these describe the closure; each facet is one (check 5 and the relative interior point): minimal"
    )


def _equations_in_hull(equations: list[Vector], hull: list[Vector], point: Vector, n: int) -> None:
    """Each listed equation b + a . R = 0 holds at ``point`` and its a lies in the span of
    ``hull`` (the equality rows, and the implicit rows): it holds on the affine set they cut."""
    for p, row in enumerate(equations):
        if row[0] + dot(row[1:], point):
            raise CertificateError(item("closure.equations", p), "does not hold at the (relative) interior point")
    base = rank_of(hull, n)
    if equations and rank_of(hull + [row[1:] for row in equations], n) != base:
        raise CertificateError("closure.equations", "not combinations of the equality (and implicit) rows")


def _redundant(
    value: object,
    strict: list[Row],
    keys: list[tuple[int, int]],
    facets: list[int],
    equations: list[Vector],
    bounds: tuple[int, int],
) -> list[int]:
    """FORMAT 9.2 (7), ``redundant``: ``[{"row": [j, i], "facets": [[j, i, m], ...],
    "equations": [[e, m], ...]}, ...]``, rows strictly increasing; a_r = sum m a_f +
    sum m a_e (m > 0 on listed facets, m != 0 on equations b_e + a_e . R = 0) and
    sum m b_f - sum m b_e >= b_r: on the listed H-representation a_r . R >= b_r."""
    path = "closure.redundant"
    index = {key: r for r, key in enumerate(keys)}
    fset = set(facets)
    out: list[int] = []
    prev: tuple[int, int] | None = None
    for pos, entry in enumerate(array(value, path)):
        e_path = item(path, pos)
        fields = record(entry, e_path, ("row", "facets", "equations"))
        parts = array(fields["row"], at(e_path, "row"), 2)
        key = (_nat(parts[0], at(e_path, "row")), _nat(parts[1], at(e_path, "row")))
        if key not in index:
            raise CertificateError(at(e_path, "row"), f"({key[0]}, {key[1]}) is not a strict row")
        if prev is not None and key <= prev:
            raise CertificateError(at(e_path, "row"), "rows must be strictly increasing")
        prev = key
        a_r, b_r = strict[index[key]]
        comb = [ZERO] * len(a_r)
        const = ZERO
        for (j, i), payload, p_path in keyed(fields["facets"], at(e_path, "facets"), bounds):
            if (j, i) not in index or index[(j, i)] not in fset:
                raise CertificateError(p_path, f"({j}, {i}) is not a listed facet")
            m = rational(payload, p_path)
            if m <= 0:
                raise CertificateError(p_path, f"multiplier {show(m)} is not > 0")
            a, b = strict[index[(j, i)]]
            comb = [c + m * x for c, x in zip(comb, a, strict=True)]
            const += m * b
        for (e,), payload, p_path in keyed(fields["equations"], at(e_path, "equations"), (max(len(equations), 1),)):
            if e >= len(equations):
                raise CertificateError(p_path, "no such equation")
            m = rational(payload, p_path)
            if not m:
                raise CertificateError(p_path, "zero multiplier (zero multipliers are omitted)")
            row = equations[e]
            comb = [c + m * x for c, x in zip(comb, row[1:], strict=True)]
            const -= m * row[0]
        if comb != a_r:
            raise CertificateError(e_path, f"row {key} is not the given combination of facets and equations")
        if const < b_r:
            raise CertificateError(e_path, f"row {key}: the combination gives >= {show(const)}, not >= {show(b_r)}")
        out.append(index[key])
    return out


def _zero_witness(
    value: object, inst: Instance, pattern: list[list[int]], branches: list[str], gs: list[tuple[int, Vector]]
) -> None:
    """FORMAT 9.2 (6), a non-empty set's zero witnesses: exactly the neurons on
    branch 0 are listed, each w_j strictly inside its cell C_j (w_j . x_i > 0
    iff I[i][j] = 1, never 0) and, for kind ``saddle``, w_j . g_j = 0 [21]."""
    zero = [j for j, b in enumerate(branches) if b == "0"]
    grads = dict(gs)
    entries = keyed(value, "zero_witness", (len(branches),))
    if [keys[0] for keys, _, _ in entries] != zero:
        raise CertificateError("zero_witness", f"must list exactly the neurons on branch 0: {zero}")
    for (j,), payload, p_path in entries:
        w = vector(payload, p_path, inst.d)
        for i, x in enumerate(inst.xs):
            val = dot(w, x)
            if (val > 0) != bool(pattern[i][j]) or val == 0:
                raise CertificateError(p_path, f"w_{j} . x_{i} = {show(val)} is not on the side of the pattern")
        if j in grads and dot(w, grads[j]) != 0:
            raise CertificateError(p_path, f"w_{j} . g_{j} != 0 [21]")


def _emptiness(
    value: object,
    eq: list[Row],
    strict: list[Row],
    keys: list[tuple[int, int]],
    condition: bool,
    bounds: tuple[int, int],
    closure_empty: bool = False,
) -> None:
    """FORMAT 9.2 (6), an empty set: either the face's sign condition [29]/[30]
    fails (``{"condition": "fails"}``), or Farkas multipliers (free on the
    listed equality rows, > 0 on the listed strict rows) combine the rows to
    zero with beta >= 0 if a strict multiplier is listed, beta != 0 otherwise.
    ``closure_empty`` (the claim's dimension is -1): Farkas multipliers for the
    closure, beta > 0 if a strict multiplier is listed (0 = sum m a . v >= beta on
    the closed rows), beta != 0 otherwise; the sign condition proves nothing there."""
    path = "emptiness"
    if closure_empty:
        if isinstance(value, dict) and "condition" in value:
            raise CertificateError(
                path, "the claim says the closure is empty (dimension -1): the sign condition does not prove it"
            )
        comb, beta, signs = combine_rows(value, path, eq, strict, keys, bounds)
        if any(comb):
            raise CertificateError(path, "the combination of the rows is not zero")
        if (signs and beta <= 0) or (not signs and not beta):
            raise CertificateError(
                path,
                f"beta = {show(beta)}: these multipliers do not prove the closure empty (dimension -1 needs "
                "beta > 0, a Farkas certificate for the closed rows)",
            )
        return
    if isinstance(value, dict) and "condition" in value:
        fields = record(value, path, ("condition",))
        if fields["condition"] != "fails":
            raise CertificateError(at(path, "condition"), f'expected "fails", found {describe(fields["condition"])}')
        if condition:
            raise CertificateError(at(path, "condition"), "the sign condition [29]/[30] holds")
        return
    comb, beta, signs = combine_rows(value, path, eq, strict, keys, bounds)
    if any(comb):
        raise CertificateError(path, "the combination of the rows is not zero")
    if signs and beta < 0:
        raise CertificateError(path, f"beta = {show(beta)} < 0: no contradiction")
    if not signs and not beta:
        raise CertificateError(path, "beta = 0 and no strict row: no contradiction")


def combine_rows(
    value: object,
    path: str,
    eq: list[Row],
    strict: list[Row],
    keys: list[tuple[int, int]],
    bounds: tuple[int, int],
) -> tuple[Vector, Fraction, list[int]]:
    """``{"equalities": [[row, m], ...], "sign": [[j, i, m], ...]}``: multipliers m != 0 on
    equality rows (by index), m > 0 on strict rows (by key), keys strictly increasing.
    Returns (sum of m a, beta = sum of m b, the strict rows used)."""
    fields = record(value, path, ("equalities", "sign"))
    n = len(eq[0][0]) if eq else (len(strict[0][0]) if strict else 0)
    comb = [ZERO] * n
    beta = ZERO
    for (r,), payload, p_path in keyed(fields["equalities"], at(path, "equalities"), (max(len(eq), 1),)):
        if r >= len(eq):
            raise CertificateError(p_path, "no such equality row")
        m = rational(payload, p_path)
        if not m:
            raise CertificateError(p_path, "zero multiplier (zero multipliers are omitted)")
        a, b = eq[r]
        comb = [c + m * x for c, x in zip(comb, a, strict=True)]
        beta += m * b
    index = {key: r for r, key in enumerate(keys)}
    used: list[int] = []
    for (j, i), payload, p_path in keyed(fields["sign"], at(path, "sign"), bounds):
        if (j, i) not in index:
            raise CertificateError(p_path, f"({j}, {i}) is not a strict row")
        m = rational(payload, p_path)
        if m <= 0:
            raise CertificateError(p_path, f"multiplier {show(m)} is not > 0")
        a, b = strict[index[(j, i)]]
        comb = [c + m * x for c, x in zip(comb, a, strict=True)]
        beta += m * b
        used.append(index[(j, i)])
    return comb, beta, used
