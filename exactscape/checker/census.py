"""Kind ``census`` (FORMAT.md 10, new in 1.2): every open cell of one neuron's
arrangement, proved complete by a sign tree.

Checks, in order: 1. claim (K, counts); 2. every listed cell's witness is
strictly inside its cell (w . x_i > 0 where active, < 0 elsewhere); 3. the
tree: a node at depth t splits sample t into "+" (w . x_t > 0) and "-"
(w . x_t < 0); a node at depth N names a listed cell whose signs are the
path's; an ``empty`` leaf at depth t carries m_i > 0 on samples i < t with
sum_i m_i s_i x_i = 0 (s_i the path's signs), which by Gordan's theorem
proves the open cone {w : s_i x_i . w > 0, i < t} empty, and so every
completion of the path; 4. every listed cell is named by exactly one leaf;
5. the counts: neuron_cells = number of cells, network_cells = neuron_cells^K.
The walk uses an explicit stack (no recursion limit).

New in 1.3, ``walls`` (optional): for every listed cell c and every sample n
inactive in c (x_n != 0) that is the least of its parallel group (the samples
m with x_m a non-zero multiple of x_n, one shared hyperplane), keys (c, n)
strictly increasing and none missing: ``{"witness": w}`` with w . x_n = 0 and
every sample outside the group strictly on its side of c (the wall of c on
that hyperplane has dimension d - 1: a facet of the cell when the group is
{n}), or ``{"empty": [[i, m], ...], "mu": m}`` with m_i > 0 on samples outside
the group and sum_i m_i s_i x_i + mu x_n = 0 (Farkas: no such w, so that
hyperplane carries no wall of c). The facets of every cell are then known.
"""

from fractions import Fraction

from .cones import check_empty_cone
from .envelope import Instance, minor_version, parse_instance, require_1_2
from .errors import CertificateError
from .fields import array, at, item, keyed, record, vector
from .linalg import dot
from .numbers import integer, rational, show

ROOT_FIELDS = ("format", "version", "kind", "instance", "claim", "cells", "tree")
CLAIM_FIELDS = ("neurons", "neuron_cells", "network_cells")
MAX_NEURONS = 64


def _cells(value: object, path: str, inst: Instance) -> list[list[int]]:
    """FORMAT 10.2 (2): the listed cells, each ``{active, witness}`` with the witness inside."""
    out: list[list[int]] = []
    for c, entry in enumerate(array(value, path)):
        c_path = item(path, c)
        fields = record(entry, c_path, ("active", "witness"))
        a_path = at(c_path, "active")
        active = [integer(v, item(a_path, i), 0, 1) for i, v in enumerate(array(fields["active"], a_path, inst.n))]
        w_path = at(c_path, "witness")
        w = vector(fields["witness"], w_path, inst.d)
        for i, x in enumerate(inst.xs):
            v = dot(w, x)
            if (v > 0) != bool(active[i]) or v == 0:
                want = "> 0" if active[i] else "< 0"
                raise CertificateError(w_path, f"w . x_{i} = {show(v)} is not {want} (cell {c})")
        out.append(active)
    return out


def _walk(tree: object, path: str, cells: list[list[int]], inst: Instance) -> int:
    """FORMAT 10.2 (3) and (4): the tree covers every sign vector (Gordan leaves via
    :func:`cones.check_empty_cone`), its cell leaves name every listed cell once.
    Returns the number of cell leaves."""
    used = [False] * len(cells)
    stack: list[tuple[object, str, list[int]]] = [(tree, path, [])]
    found = 0
    while stack:
        node, n_path, signs = stack.pop()
        t = len(signs)
        if not isinstance(node, dict):
            raise CertificateError(n_path, "expected a node object")
        if "empty" in node:
            fields = record(node, n_path, ("empty",))
            check_empty_cone(fields["empty"], at(n_path, "empty"), inst.xs, signs)
            continue
        if "cell" in node:
            fields = record(node, n_path, ("cell",))
            if t != inst.n:
                raise CertificateError(
                    n_path, f"a cell leaf at depth {t}, but every sample (N = {inst.n}) must be split"
                )
            if not cells:
                raise CertificateError(at(n_path, "cell"), "no cells are listed")
            c = integer(fields["cell"], at(n_path, "cell"), 0, len(cells) - 1)
            want = [1 if s > 0 else 0 for s in signs]
            if cells[c] != want:
                raise CertificateError(at(n_path, "cell"), f"cell {c} does not have this leaf's signs")
            if used[c]:
                raise CertificateError(at(n_path, "cell"), f"cell {c} is named by two leaves")
            used[c] = True
            found += 1
            continue
        fields = record(node, n_path, ("split", "+", "-"))
        if t >= inst.n:
            raise CertificateError(n_path, "a split below depth N")
        s = integer(fields["split"], at(n_path, "split"), 0, inst.n - 1)
        if s != t:
            raise CertificateError(at(n_path, "split"), f"the node at depth {t} must split sample {t}, found {s}")
        stack.append((fields["-"], at(n_path, "-"), [*signs, -1]))
        stack.append((fields["+"], at(n_path, "+"), [*signs, 1]))
    missing = [c for c, u in enumerate(used) if not u]
    if missing:
        raise CertificateError("cells", f"cell {missing[0]} is named by no leaf of the tree")
    return found


def check_claim(value: object) -> tuple[int, int, int]:
    """FORMAT 10.2 (1), the claim's fields and ranges: returns K, the claimed
    neuron cells and the claimed network cells."""
    claim = record(value, "claim", CLAIM_FIELDS)
    k = integer(claim["neurons"], "claim.neurons", 1, MAX_NEURONS)
    c_claim = integer(claim["neuron_cells"], "claim.neuron_cells", 0)
    net_claim = integer(claim["network_cells"], "claim.network_cells", 0)
    return k, c_claim, net_claim


def check_counts(k: int, c_claim: int, net_claim: int, cells: int) -> str:
    """FORMAT 10.2 (5): ``neuron_cells`` is the number of listed cells and
    ``network_cells`` its K-th power."""
    if c_claim != cells:
        raise CertificateError("claim.neuron_cells", f"claims {c_claim}, the certificate lists {cells} cells")
    if net_claim != cells**k:
        raise CertificateError("claim.network_cells", f"claims {net_claim}, but {cells}^{k} = {cells**k}")
    return f"c 5 counts: {cells} neuron cells, {net_claim} network cells for K = {k}"


def check_census(cert: dict[str, object], lines: list[str]) -> None:
    """Run the checks of FORMAT.md 10.2 in order, appending ``c`` lines."""
    require_1_2(cert, "kind 'census'", "kind")
    fields = record(cert, "", ROOT_FIELDS, ("walls",) if minor_version(cert) >= 3 else ())
    inst = parse_instance(fields["instance"], "instance")
    lines.append(inst.summary())
    k, c_claim, net_claim = check_claim(fields["claim"])
    cells = _cells(fields["cells"], "cells", inst)
    lines.append(f"c 2 cells: {len(cells)} witnesses strictly inside their cells")
    found = _walk(fields["tree"], "tree", cells, inst)
    lines.append(f"c 3 tree: every sign vector over the {inst.n} samples is a listed cell or has a Gordan leaf")
    lines.append(f"c 4 leaves: the {found} cell leaves are exactly the listed cells")
    lines.append(check_counts(k, c_claim, net_claim, len(cells)))
    if "walls" in fields:
        facets = check_walls(fields["walls"], cells, inst)
        lines.append(f"c 6 walls: every cell's walls decided; {facets} facets on hyperplanes of one sample")


def parallel_group(xs: list[list[Fraction]], n: int) -> list[int]:
    """The samples m with x_m a non-zero multiple of x_n (n included): every 2 x 2 minor of
    (x_m, x_n) vanishes and x_m != 0."""
    xn = xs[n]
    d = len(xn)
    return [
        m
        for m, x in enumerate(xs)
        if any(x) and all(x[a] * xn[b] == x[b] * xn[a] for a in range(d) for b in range(a + 1, d))
    ]


def wall_pairs(cells: list[list[int]], inst: Instance) -> list[tuple[int, int, list[int]]]:
    """(c, n, group) for every cell c and sample n inactive in c, x_n != 0, n the least of its group."""
    groups = {n: parallel_group(inst.xs, n) for n in range(inst.n) if any(inst.xs[n])}
    return [
        (c, n, groups[n])
        for c, active in enumerate(cells)
        for n in sorted(groups)
        if not active[n] and n == min(groups[n])
    ]


def check_walls(value: object, cells: list[list[int]], inst: Instance) -> int:
    """FORMAT 10.2 (6), new in 1.3: every wall pair decided (module docstring). Returns the
    number of facets (a witness, a group of one sample)."""
    want = wall_pairs(cells, inst)
    entries = keyed(value, "walls", (max(len(cells), 1), inst.n))
    if [key for key, _, _ in entries] != [(c, n) for c, n, _ in want]:
        raise CertificateError("walls", f"must list exactly the {len(want)} pairs (cell, inactive sample) in order")
    facets = 0
    for ((c, n), payload, p_path), (_, _, group) in zip(entries, want, strict=True):
        signs = [1 if a else -1 for a in cells[c]]
        if isinstance(payload, dict) and "witness" in payload:
            w = vector(record(payload, p_path, ("witness",))["witness"], at(p_path, "witness"), inst.d)
            if dot(w, inst.xs[n]) != 0:
                raise CertificateError(at(p_path, "witness"), f"w . x_{n} != 0")
            for i, x in enumerate(inst.xs):
                if i not in group and signs[i] * dot(w, x) <= 0:
                    raise CertificateError(
                        at(p_path, "witness"), f"w . x_{i} = {show(dot(w, x))} off the side of cell {c}"
                    )
            facets += len(group) == 1
            continue
        fields = record(payload, p_path, ("empty", "mu"))
        mu = rational(fields["mu"], at(p_path, "mu"))
        outside = [s if i not in group else 0 for i, s in enumerate(signs)]
        check_empty_cone(
            fields["empty"], at(p_path, "empty"), inst.xs, outside, [mu * v for v in inst.xs[n]], " + mu x_n"
        )
        if any(i in group for (i,), _, _ in keyed(fields["empty"], at(p_path, "empty"), (inst.n,))):
            raise CertificateError(at(p_path, "empty"), "a multiplier on a sample of the hyperplane's group")
    return facets
