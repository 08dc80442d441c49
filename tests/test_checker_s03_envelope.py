"""Checker, FORMAT.md section 3: the envelope (unknown and missing fields, kinds, shapes)."""

from checker_certs import (
    cell_unique_genuine,
    cell_unique_tree,
    point_saddle,
    rejected,
)

# ---------------------------------------------------------------- section 3: envelope


def test_unknown_fields_rejected_everywhere() -> None:
    cert = cell_unique_genuine()
    cert["comment"] = "hi"
    rejected(cert, "certificate: unknown field 'comment'")
    cert = cell_unique_genuine()
    cert["instance"]["name"] = "x"
    rejected(cert, "instance: unknown field 'name'")
    cert = cell_unique_genuine()
    cert["claim"]["extra"] = 1
    rejected(cert, "claim: unknown field 'extra'")
    cert = cell_unique_tree()
    cert["genuineness"]["tree"]["+"]["leaf"]["note"] = []
    rejected(cert, "genuineness.tree.+.leaf: unknown field 'note'")
    cert = cell_unique_tree()
    cert["genuineness"]["tree"]["weight"] = 1
    rejected(cert, "genuineness.tree: unknown field 'weight'")
    cert = point_saddle()
    cert["descent"]["dt"] = []
    rejected(cert, "descent: unknown field 'dt'")


def test_missing_fields_rejected() -> None:
    for key in ("instance", "claim", "pattern", "feasibility", "rank", "minimiser", "genuineness"):
        cert = cell_unique_genuine()
        del cert[key]
        rejected(cert, f"missing field '{key}'")
    cert = cell_unique_genuine()
    del cert["instance"]["bias"]
    rejected(cert, "instance: missing field 'bias'")
    cert = cell_unique_tree()
    del cert["genuineness"]["tree"]["-"]
    rejected(cert, "genuineness.tree: missing field '-'")


def test_wrong_kind_rejected() -> None:
    cert = cell_unique_genuine()
    cert["kind"] = "saddle"
    rejected(cert, "kind:")
    del cert["kind"]
    rejected(cert, "kind:")


def test_shape_errors_rejected() -> None:
    cert = cell_unique_genuine()
    cert["instance"]["X"][1] = [2, 3]
    rejected(cert, "instance.X[1]", "expected 1 entries")
    cert = cell_unique_genuine()
    cert["instance"]["X"] = []
    rejected(cert, "instance.X", "at least 1")
    cert = cell_unique_genuine()
    cert["instance"]["y"] = [1]
    rejected(cert, "instance.y", "expected 2 entries")
    cert = cell_unique_genuine()
    cert["pattern"] = [[1]]
    rejected(cert, "pattern", "expected 2 entries")
    cert = cell_unique_genuine()
    cert["pattern"][1] = [1, 1]
    rejected(cert, "pattern[1]")
    cert = cell_unique_genuine()
    cert["pattern"][1][0] = 2
    rejected(cert, "pattern[1][0]", "out of range")
    cert = cell_unique_genuine()
    cert["feasibility"]["witness"] = [[1, 0, 0]]
    rejected(cert, "feasibility.witness[0]")
    cert = cell_unique_genuine()
    cert["minimiser"]["u"] = [1]
    rejected(cert, "minimiser.u", "expected 2 entries")
    cert = cell_unique_genuine()
    cert["instance"] = [1, 2]
    rejected(cert, "instance: expected an object")
