"""Checker, FORMAT.md section 4: kind ``cell`` (checks 1-5 of 4.2, one test group per check)."""

from typing import Any

from checker_certs import (
    cell_affine_genuine,
    cell_affine_tree,
    cell_dependent_rows,
    cell_fractions,
    cell_infeasible,
    cell_unique_genuine,
    cell_unique_tree,
    rejected,
    tree_leaves_for_neuron_0,
    verdict,
)


def test_detail_lines_name_the_steps() -> None:
    lines = verdict(cell_unique_tree()).lines
    text = "\n".join(lines)
    for step in ("c 1 pattern", "c 2 feasibility", "c 3 rank", "c 4 minimiser", "c 5 genuineness"):
        assert step in text
    assert "4 refuted leaves" not in text and "3 refuted leaves" in text


# ---------------------------------------------------------------- section 4: cells


def test_claim_mismatches_rejected() -> None:
    for field, wrong, message in (
        ("feasible", False, "claim.feasible: claimed false, derived true"),
        ("rank", 1, "claim.rank: claimed 1, derived 2"),
        ("dimension", 1, "claim.dimension: claimed 1, derived 0"),
        ("kind", "affine", 'claim.kind: claimed "affine", derived "unique"'),
        ("loss", "1/3", "claim.loss: claimed 1/3, derived 0"),
        ("genuine", False, "claim.genuine: claimed false, derived true"),
        ("branches", ["-"], 'claim.branches: claimed ["-"], derived ["+"]'),
        ("branches", None, 'claim.branches: claimed null, derived ["+"]'),
    ):
        cert = cell_unique_genuine()
        cert["claim"][field] = wrong
        assert rejected(cert) == message
    cert = cell_unique_genuine()
    cert["claim"]["kind"] = "both"
    rejected(cert, "claim.kind")
    cert["claim"]["kind"] = "unique"
    cert["claim"]["branches"] = ["+", "x"]
    rejected(cert, "claim.branches[1]")


def test_feasibility_witness_must_be_strictly_inside() -> None:
    cert = cell_unique_genuine()
    cert["feasibility"]["witness"] = [[1, -1]]  # w . x_0 = 0
    assert rejected(cert) == ("feasibility.witness[0]: w_0 . x_0 = 0 is not > 0 (neuron 0 active on sample 0)")
    cert = cell_infeasible()
    cert["feasibility"] = {"witness": [[1]]}  # w . x_1 = 2 > 0 but inactive there
    rejected(cert, "feasibility.witness[0]: w_0 . x_1 = 2 is not < 0")


def test_infeasibility_multipliers_checked() -> None:
    cert = cell_infeasible()
    cert["feasibility"]["multipliers"] = [[0, 1], [1, 1]]  # 1 - 2 != 0
    rejected(cert, "feasibility.multipliers: sum_i m_i s_i x_i is non-zero at coordinate 0")
    cert["feasibility"]["multipliers"] = [[1, 1], [0, 2]]
    rejected(cert, "feasibility.multipliers[1]", "strictly increasing")
    cert["feasibility"]["multipliers"] = [[0, -2], [1, -1]]
    rejected(cert, "feasibility.multipliers[0][1]: multiplier -2 is not > 0")
    cert["feasibility"]["multipliers"] = []
    rejected(cert, "feasibility.multipliers", "at least 1")
    cert["feasibility"]["multipliers"] = [[0, 2], [2, 1]]
    rejected(cert, "feasibility.multipliers[1][0]", "out of range")
    cert["feasibility"]["multipliers"] = [[0, 2], [-1, 1]]
    rejected(cert, "feasibility.multipliers[1][0]", "out of range")
    cert = cell_infeasible()
    cert["feasibility"]["neuron"] = 1
    rejected(cert, "feasibility.neuron", "out of range")
    cert = cell_infeasible()
    cert["claim"]["feasible"] = True
    rejected(cert, "claim.feasible: claimed true, derived false")


def test_infeasible_cell_forbids_genuineness() -> None:
    cert = cell_infeasible()
    cert["genuineness"] = {"z": [1], "w": [[1]]}
    rejected(cert, "genuineness: must be absent")
    cert = cell_infeasible()
    cert["claim"]["genuine"] = True
    rejected(cert, "claim.genuine")
    cert = cell_infeasible()
    cert["claim"]["branches"] = ["0"]
    rejected(cert, "claim.branches")


def test_rank_evidence_checked() -> None:
    cert = cell_dependent_rows()
    cert["rank"] = {"basis_rows": [0, 1], "combinations": []}
    rejected(cert, "rank.basis_rows: rows are linearly dependent")
    cert = cell_dependent_rows()
    cert["rank"]["combinations"] = [[1, [3]]]
    rejected(cert, "rank.combinations[0]: A_1 differs from sum_k c_k A_(b_k) at column (0, 0)")
    cert = cell_dependent_rows()
    cert["rank"]["combinations"] = []
    rejected(cert, "rank.combinations: row 1 is missing")
    cert = cell_dependent_rows()
    cert["rank"]["combinations"] = [[0, [1]], [1, [2]]]
    rejected(cert, "rank.combinations[0]: row 0 listed where row 1")
    cert = cell_dependent_rows()
    cert["rank"]["combinations"] = [[1, [2, 0]]]
    rejected(cert, "rank.combinations[0][1]", "expected 1 entries")
    cert = cell_unique_genuine()
    cert["rank"]["basis_rows"] = [1, 0]
    rejected(cert, "rank.basis_rows[1]", "strictly increasing")
    cert = cell_unique_genuine()
    cert["rank"]["basis_rows"] = [0]
    cert["minimiser"]["u"] = [1]
    rejected(cert, "rank.combinations: row 1 is missing")
    cert = cell_fractions()
    cert["rank"]["combinations"] = [[2, ["1/2", "1/3"]]]
    rejected(cert, "rank.combinations[0]: A_2 differs")


def test_minimiser_normal_equations_checked() -> None:
    cert = cell_unique_genuine()
    cert["minimiser"]["u"] = [0, 1]
    rejected(cert, "minimiser.u: normal equations A^T (A R0 - y) = 0 fail at column (0, 0)")
    cert = cell_fractions()
    cert["minimiser"]["u"] = ["-5/4", "1/2"]
    rejected(cert, "minimiser.u")


def test_genuineness_witness_checked() -> None:
    cert = cell_unique_genuine()
    cert["genuineness"]["w"] = [[2, 0]]  # R = (2, 0) is not a minimiser
    rejected(cert, "genuineness: R_j = z_j w_j is not a minimiser")
    cert = cell_unique_genuine()
    cert["genuineness"] = {"z": [-1], "w": [[-1, 0]]}  # R = (1, 0) but w outside C_0
    rejected(cert, "genuineness.w[0]: w_0 . x_0 = -1 is not > 0")
    cert = cell_affine_genuine()
    cert["claim"]["branches"] = ["+", "+"]
    rejected(cert, 'claim.branches: claimed ["+", "+"], derived ["+", "0"]')
    cert = cell_unique_genuine()
    cert["genuineness"]["extra"] = 1
    rejected(cert, "genuineness: unknown field 'extra'")


def test_tree_claims_must_say_not_genuine() -> None:
    cert = cell_unique_tree()
    cert["claim"]["genuine"] = True
    rejected(cert, "claim.genuine: claimed true, derived false")
    cert = cell_unique_tree()
    cert["claim"]["branches"] = ["+"]
    rejected(cert, "claim.branches")


def test_farkas_leaf_combination_must_vanish() -> None:
    cert = cell_affine_tree()
    cert["genuineness"]["tree"]["0"]["+"]["leaf"]["sign"] = [[1, 0, 1]]
    assert rejected(cert) == "genuineness.tree.0.+.leaf: combination non-zero at variable (1, 0)"
    cert = cell_unique_tree()
    cert["genuineness"]["tree"]["+"]["leaf"]["fit"] = [[1, 1]]
    assert rejected(cert) == "genuineness.tree.+.leaf: combination non-zero at variable (0, 1)"


def test_farkas_leaf_beta_checked() -> None:
    # Cell A is genuine ("+"): the "+" system is feasible, any valid combination has beta < 0.
    cert = cell_unique_genuine()
    cert["claim"].update(genuine=False, branches=None)
    cert["genuineness"] = {
        "tree": {
            "split": 0,
            "+": {"leaf": {"fit": [[0, -1]], "sign": [[0, 0, 1]]}},
            "-": {"leaf": {"fit": [[0, 1]], "sign": [[0, 0, 1]]}},
            "0": {"leaf": {"fit": [[0, 1]], "sign": []}},
        }
    }
    rejected(cert, "genuineness.tree.+.leaf: beta = -1 < 0")
    cert = cell_unique_tree()
    cert["genuineness"]["tree"]["0"]["leaf"]["fit"] = []
    rejected(cert, "genuineness.tree.0.leaf: beta = 0 and no sign multiplier")


def test_farkas_leaf_multiplier_rules() -> None:
    cert = cell_unique_tree()
    cert["genuineness"]["tree"]["+"]["leaf"]["sign"] = [[0, 1, -1]]
    rejected(cert, "genuineness.tree.+.leaf.sign[0][2]: multiplier -1 is not > 0")
    cert = cell_unique_tree()
    cert["genuineness"]["tree"]["+"]["leaf"]["fit"] = [[1, -1], [0, 0]]
    rejected(cert, "genuineness.tree.+.leaf.fit[1]", "strictly increasing")
    cert = cell_unique_tree()
    cert["genuineness"]["tree"]["+"]["leaf"]["fit"] = [[0, 0], [1, -1]]
    rejected(cert, "genuineness.tree.+.leaf.fit[0][1]: zero multiplier")
    cert = cell_unique_tree()
    cert["genuineness"]["tree"]["0"]["leaf"]["sign"] = [[0, 0, 1]]
    rejected(cert, "genuineness.tree.0.leaf.sign[0]: neuron 0 is not split with branch + or -")
    cert = cell_affine_tree()
    cert["genuineness"]["tree"]["+"]["leaf"]["sign"] = [[0, 1, 1], [1, 0, 1]]
    rejected(cert, "genuineness.tree.+.leaf.sign[1]: neuron 1 is not split")
    cert = cell_unique_tree()
    cert["genuineness"]["tree"]["+"]["leaf"]["sign"] = [[0, 1]]
    rejected(cert, "genuineness.tree.+.leaf.sign[0]", "expected 3 entries")


def test_tree_splits_checked() -> None:
    cert = cell_unique_tree()
    cert["genuineness"]["tree"]["0"] = tree_leaves_for_neuron_0()
    rejected(cert, "genuineness.tree.0.split: neuron 0 is already split on this path")
    for bad in (1, -1, "0", None):
        cert = cell_unique_tree()
        cert["genuineness"]["tree"]["split"] = bad
        rejected(cert, "genuineness.tree.split")
    cert = cell_unique_tree()
    cert["genuineness"]["tree"]["-"] = {"leaf": {"fit": [[0, 1]], "sign": [[0, 0, 1]]}, "split": 0}
    rejected(cert, "genuineness.tree.-: unknown field")
    cert = cell_unique_tree()
    cert["genuineness"]["tree"] = {"leaf": {"fit": [[0, 1]], "sign": []}}  # uncovered + and -
    rejected(cert, "genuineness.tree.leaf")


def test_cyclic_and_deep_trees_terminate() -> None:
    cert = cell_unique_tree()
    tree = cert["genuineness"]["tree"]
    tree["+"] = tree  # a cycle re-splits neuron 0
    rejected(cert, "genuineness.tree.+.split: neuron 0 is already split")
    cert = cell_unique_tree()
    node: dict[str, Any] = {"leaf": {"fit": [], "sign": []}}
    for _ in range(5000):
        node = {"split": 0, "+": node, "-": node, "0": node}
    cert["genuineness"]["tree"] = node
    rejected(cert, "already split")


def test_not_feasible_certificate_reason_order() -> None:
    # The first failed check wins: a bad pattern is reported before a bad loss.
    cert = cell_infeasible()
    cert["pattern"][0][0] = 3
    cert["claim"]["loss"] = 0
    rejected(cert, "pattern[0][0]")
