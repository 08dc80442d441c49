"""Points anywhere on the hyperplanes (FORMAT.md 5.5, new in 1.3): the ray-group
lower bound and the per-neuron proofs of Lemma D.

Notation at the point: e_i = f(x_i) - y_i; for neuron j, the boundary samples
H_j = {i : x_i != 0, w_j . x_i = 0} (increasing), G_j = sum over w_j . x_i > 0
of e_i x_i, and g_j(b) = G_j . b + sum_{i in H_j} e_i [b . x_i]_+.

* ``bound``: ``groups`` partitions the samples; every member of a group is a
  positive multiple c_i of the group's first member u (or every member is 0,
  c_i = 0); the loss equals (1/N) sum over groups of
  sum y_i^2 - (sum c_i y_i)^2 / sum c_i^2 (the second term 0 when every c_i = 0).
  Since f(c u) = c f(u) for c > 0 and f(0) = 0, this is a lower bound of the
  loss everywhere: the point is a global minimum.
* ``local``: Lemma D. (1) w_j . G_j = 0 for every j; (2) for every j and
  every sign s required (sign z_j, or both when z_j = 0), s g_j >= 0 on Q^d,
  shown by ``alpha`` (s G_j = sum alpha_i x_i over H_j, -s e_i <= alpha_i <= 0)
  or by ``pieces`` and a sign ``tree`` over H_j: the leaves at full depth name
  the pieces, every other leaf is a Gordan proof that its open cone is empty,
  (its multipliers keyed by depth, i.e. position in H_j), and on each piece
  sigma, s r^sigma = sum mu_i sigma_i x_i with mu_i > 0
  (r^sigma = G_j + sum_{i in H_j, sigma_i = +} e_i x_i).
"""

from fractions import Fraction

from .cones import check_empty_cone
from .envelope import Instance, minor_version
from .errors import CertificateError
from .fields import array, at, item, keyed, record, vector
from .linalg import ZERO, Blocks, Vector, add_scaled, dot
from .numbers import integer, rational, show

MAX_TREE_NODES = 1_000_000
"""The walk of one sign tree visits at most this many nodes (the evidence bounds the work anyway)."""


def require_1_3(cert: dict[str, object], what: str, path: str) -> None:
    """FORMAT 3: what is new in 1.3 is refused in a 1.0, 1.1 or 1.2 certificate."""
    if minor_version(cert) < 3:
        raise CertificateError(path, f"{what} is new in version 1.3; this certificate says version {cert['version']}")


def _ray_multiple(x: Vector, u: Vector) -> Fraction | None:
    """c > 0 with x = c u, else None (u != 0)."""
    l0 = next(l for l, v in enumerate(u) if v)
    c = x[l0] / u[l0]
    if c <= 0 or any(a != c * b for a, b in zip(x, u, strict=True)):
        return None
    return c


def check_bound(value: object, inst: Instance, loss: Fraction) -> str:
    """FORMAT 5.5 (bound): the groups partition the samples into rays, and the loss
    equals their lower bound."""
    fields = record(value, "bound", ("groups",))
    groups = array(fields["groups"], "bound.groups", min_length=1)
    seen = [False] * inst.n
    total = ZERO
    for g, entry in enumerate(groups):
        g_path = item("bound.groups", g)
        members = [integer(v, item(g_path, t), 0, inst.n - 1) for t, v in enumerate(array(entry, g_path, min_length=1))]
        for t, i in enumerate(members):
            if seen[i]:
                raise CertificateError(item(g_path, t), f"sample {i} is in two groups")
            seen[i] = True
        u = inst.xs[members[0]]
        cs: list[Fraction] = []
        for t, i in enumerate(members):
            if not any(u):
                if any(inst.xs[i]):
                    raise CertificateError(item(g_path, t), f"x_{i} != 0 in the group of the zero sample")
                cs.append(ZERO)
                continue
            c = _ray_multiple(inst.xs[i], u)
            if c is None:
                raise CertificateError(
                    item(g_path, t), f"x_{i} is not a positive multiple of x_{members[0]}, the group's first member"
                )
            cs.append(c)
        ys = [inst.y[i] for i in members]
        cc = sum((c * c for c in cs), ZERO)
        cy = sum((c * y for c, y in zip(cs, ys, strict=True)), ZERO)
        total += sum((y * y for y in ys), ZERO) - (cy * cy / cc if cc else ZERO)
    missing = [i for i, s in enumerate(seen) if not s]
    if missing:
        raise CertificateError("bound.groups", f"sample {missing[0]} is in no group")
    bound = total / inst.n
    if bound != loss:
        raise CertificateError("bound", f"the ray-group lower bound is {show(bound)}, the loss {show(loss)}")
    return f"c global minimum: the loss equals the ray-group lower bound {show(bound)} ({len(groups)} groups)"


def _pairs(value: object, path: str, n: int, allowed: list[int], positive: bool) -> dict[int, Fraction]:
    """[[i, m], ...] with i in ``allowed``, keys strictly increasing; m > 0 when ``positive``
    (else m != 0)."""
    out: dict[int, Fraction] = {}
    for keys, payload, p_path in keyed(value, path, (n,)):
        i = keys[0]
        if i not in allowed:
            raise CertificateError(p_path, f"sample {i} is not a boundary sample of this neuron")
        m = rational(payload, p_path)
        if positive and m <= 0:
            raise CertificateError(p_path, "a multiplier must be > 0")
        if not positive and not m:
            raise CertificateError(p_path, "a zero coefficient is not listed")
        out[i] = m
    return out


def _combination(inst: Instance, coef: dict[int, Fraction], signs: dict[int, int]) -> Vector:
    """sum_i coef_i signs_i x_i."""
    v = [ZERO] * inst.d
    for i, m in coef.items():
        add_scaled(v, m * signs.get(i, 1), inst.xs[i])
    return v


def _check_alpha(value: object, path: str, inst: Instance, s: int, g: Vector, h: list[int], e: Vector) -> None:
    """s G_j = sum alpha_i x_i with -s e_i <= alpha_i <= 0 for every i in H_j (absent: 0)."""
    alpha = _pairs(value, path, inst.n, h, positive=False)
    for i in h:
        a = alpha.get(i, ZERO)
        if not (-s * e[i] <= a <= 0):
            raise CertificateError(path, f"alpha_{i} = {show(a)} is not in [-s e_{i}, 0] = [{show(-s * e[i])}, 0]")
    want = [s * v for v in g]
    if _combination(inst, alpha, {}) != want:
        raise CertificateError(path, "s G_j != sum_i alpha_i x_i")


def _check_pieces(
    fields: dict[str, object], path: str, inst: Instance, s: int, g: Vector, h: list[int], e: Vector
) -> int:
    """The pieces (witness strictly inside, Farkas multipliers) and the tree covering every sign vector."""
    pieces: list[list[int]] = []
    p_path = at(path, "pieces")
    for c, entry in enumerate(array(fields["pieces"], p_path)):
        c_path = item(p_path, c)
        pf = record(entry, c_path, ("active", "witness", "mu"))
        a_path = at(c_path, "active")
        active = [integer(v, item(a_path, t), 0, 1) for t, v in enumerate(array(pf["active"], a_path, len(h)))]
        b = vector(pf["witness"], at(c_path, "witness"), inst.d)
        signs = {i: (1 if a else -1) for i, a in zip(h, active, strict=True)}
        for i in h:
            if signs[i] * dot(b, inst.xs[i]) <= 0:
                raise CertificateError(at(c_path, "witness"), f"not strictly inside: sign of b . x_{i} is wrong")
        mu = _pairs(pf["mu"], at(c_path, "mu"), inst.n, h, positive=True)
        r = list(g)
        for i in h:
            if signs[i] > 0:
                add_scaled(r, e[i], inst.xs[i])
        if _combination(inst, mu, signs) != [s * v for v in r]:
            raise CertificateError(at(c_path, "mu"), "s r^sigma != sum_i mu_i sigma_i x_i on this piece")
        pieces.append(active)
    used = [False] * len(pieces)
    stack: list[tuple[object, str, list[int]]] = [(fields["tree"], at(path, "tree"), [])]
    visited = 0
    while stack:
        node, n_path, path_signs = stack.pop()
        visited += 1
        if visited > MAX_TREE_NODES:
            raise CertificateError(at(path, "tree"), f"more than {MAX_TREE_NODES} nodes")
        t = len(path_signs)
        if not isinstance(node, dict):
            raise CertificateError(n_path, "expected a node object")
        if "empty" in node:
            nf = record(node, n_path, ("empty",))
            if t == 0:
                raise CertificateError(n_path, "an empty leaf at the root (its cone is all of Q^d)")
            xs = [inst.xs[i] for i in h[:t]]
            check_empty_cone(nf["empty"], at(n_path, "empty"), xs, path_signs)
            continue
        if "piece" in node:
            nf = record(node, n_path, ("piece",))
            if t != len(h):
                raise CertificateError(
                    n_path, f"a piece leaf at depth {t}, but all {len(h)} boundary samples must be split"
                )
            if not pieces:
                raise CertificateError(at(n_path, "piece"), "no pieces are listed")
            c = integer(nf["piece"], at(n_path, "piece"), 0, len(pieces) - 1)
            if pieces[c] != [1 if v > 0 else 0 for v in path_signs]:
                raise CertificateError(at(n_path, "piece"), f"piece {c} does not have this leaf's signs")
            if used[c]:
                raise CertificateError(at(n_path, "piece"), f"piece {c} is named by two leaves")
            used[c] = True
            continue
        nf = record(node, n_path, ("split", "+", "-"))
        if t >= len(h):
            raise CertificateError(n_path, "a split below the last boundary sample")
        split = integer(nf["split"], at(n_path, "split"), 0, inst.n - 1)
        if split != h[t]:
            raise CertificateError(
                at(n_path, "split"), f"the node at depth {t} must split sample {h[t]}, found {split}"
            )
        stack.append((nf["-"], at(n_path, "-"), [*path_signs, -1]))
        stack.append((nf["+"], at(n_path, "+"), [*path_signs, 1]))
    if not all(used):
        raise CertificateError(p_path, f"piece {used.index(False)} is named by no leaf of the tree")
    return len(pieces)


def check_local(value: object, inst: Instance, z: Vector, w: Blocks, pre: list[list[Fraction]], outputs: Vector) -> str:
    """FORMAT 5.5 (local): Lemma D's conditions (1) and (2), neuron by neuron."""
    k = len(z)
    entries = array(value, "local", k)
    e = [f - y for f, y in zip(outputs, inst.y, strict=True)]
    total_pieces = 0
    for j in range(k):
        g = [ZERO] * inst.d
        for i, x in enumerate(inst.xs):
            if pre[j][i] > 0:
                add_scaled(g, e[i], x)
        if dot(w[j], g):
            raise CertificateError("local", f"(1) fails: w_{j} . G_{j} = {show(dot(w[j], g))} != 0")
        h = [i for i, x in enumerate(inst.xs) if any(x) and not pre[j][i]]
        need = ("+",) if z[j] > 0 else ("-",) if z[j] < 0 else ("+", "-")
        j_path = item("local", j)
        signs = record(entries[j], j_path, need)
        for name in need:
            s = 1 if name == "+" else -1
            s_path = at(j_path, name)
            proof = signs[name]
            if isinstance(proof, dict) and "alpha" in proof:
                _check_alpha(record(proof, s_path, ("alpha",))["alpha"], at(s_path, "alpha"), inst, s, g, h, e)
            else:
                total_pieces += _check_pieces(record(proof, s_path, ("pieces", "tree")), s_path, inst, s, g, h, e)
    return (
        "c local minimum (FORMAT 5.5, Lemma D): w_j . G_j = 0 and s g_j >= 0 for every neuron and required sign"
        f" ({total_pieces} pieces)"
    )
