"""Tests of :mod:`importsub.compile.matrices`: S, A and P of the hand-worked three-tier
network against a dense construction from the records, and gross output by level
solve against a dense ``numpy.linalg.solve`` on random multi-tier networks."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest
import scipy.sparse as sp
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from importsub.analysis import demand
from importsub.compile import compile, matrices
from importsub.compile.network import Network
from importsub.model.dataset import Dataset
from importsub.model.errors import AnalysisError
from test_compile import dense_reference, node, random_dataset, three_tier


def dense_from_records(ds: Dataset, net: Network, share: np.ndarray | None = None) -> dict[str, Any]:
    """S, need, A and P with plain loops over the records (groups in the network's order, found by
    their (buyer site, part) labels); ``share`` replaces the links' shares (in table order)."""
    prod = list(ds.production.iter_rows(named=True))
    index = {(r["site"], r["part"]): k for k, r in enumerate(prod)}
    n = len(prod)
    group_of = {
        (net.sites[int(net.group_site[g])], net.parts[int(net.group_part[g])]): g for g in range(net.group_site.size)
    }
    m = len(group_of)
    bom: dict[str, list[tuple[str, float]]] = {}
    for r in ds.bom.iter_rows(named=True):
        bom.setdefault(r["parent"], []).append((r["child"], r["quantity"]))
    S = np.zeros((n, m))
    links = list(ds.supply_links.iter_rows(named=True))
    for e, link in enumerate(links):
        sigma = link["share"] if share is None else share[e]
        S[index[(link["supplier"], link["part"])], group_of[(link["buyer"], link["part"])]] += sigma
    need = np.zeros((m, n))
    for j, r in enumerate(prod):
        for child, q in bom.get(r["part"], []):
            g = group_of.get((r["site"], child))
            if g is not None:
                need[g, j] += q
    P = np.zeros((n, n))
    for link in links:
        i = index[(link["supplier"], link["part"])]
        P[i] += need[group_of[(link["buyer"], link["part"])]] > 0
    return {"S": S, "need": need, "A": S @ need, "P": P}


def test_three_tier_S_A_P_against_the_records() -> None:
    ds = three_tier()
    net = compile(ds)
    ref = dense_from_records(ds, net)
    S = matrices.share_matrix_of(net)
    np.testing.assert_allclose(S.toarray(), ref["S"], rtol=1e-12)
    np.testing.assert_allclose(net.need.toarray(), ref["need"], rtol=1e-12)
    np.testing.assert_allclose(matrices.input_matrix(S, net.need).toarray(), ref["A"], rtol=1e-12)
    np.testing.assert_allclose(net.A.toarray(), ref["A"], rtol=1e-12)
    np.testing.assert_array_equal(matrices.structure_matrix_of(net).toarray(), ref["P"])
    # by hand: the qualified alternative BRK-RU2 (share 0) is in P, not in S or A
    car, alt, brk = node(net, "VAZ/CAR"), node(net, "BRK-RU2/BRAKE"), node(net, "BRK-RU/BRAKE")
    assert net.A[brk, car] == pytest.approx(3.0)  # 4 brakes × 75 %
    assert net.A[alt, car] == 0.0
    assert matrices.structure_matrix_of(net)[alt, car] == 1.0
    assert S.nnz == np.count_nonzero(ref["S"])  # explicit zeros dropped


def test_three_tier_levels_by_hand() -> None:
    net = compile(three_tier())
    expected = {
        "SUB-RU/SUBSTRATE": 0,
        "LED-CN/LED": 1,
        "LAMP-BY/LAMP": 2,
        "BRK-RU/BRAKE": 0,
        "BRK-DE/BRAKE": 0,
        "BRK-RU2/BRAKE": 0,
        "VAZ/CAR": 3,
    }
    level = matrices.node_levels(matrices.structure_matrix_of(net))
    assert {label: int(level[node(net, label)]) for label in expected} == expected
    np.testing.assert_array_equal(level, net.level)
    order = matrices.topological_order(level)
    assert list(level[order]) == sorted(level)


def test_value_shares_and_value_added() -> None:
    ds = three_tier()
    net = compile(ds)
    ref = dense_reference(ds)
    B = matrices.value_share_matrix(net.A, net.value)
    np.testing.assert_allclose(B.toarray(), ref["B"], rtol=1e-12)
    np.testing.assert_allclose(matrices.value_added(B), ref["w"], rtol=1e-12, atol=1e-15)


def test_a_cycle_names_its_nodes() -> None:
    P = sp.csr_matrix(np.array([[0, 1, 0], [0, 0, 1], [0, 1, 0]], dtype=np.float64))
    with pytest.raises(AnalysisError, match=r"supply cycle .*n1 → n2|supply cycle .*n2 → n1"):
        matrices.node_levels(P, lambda i: f"n{i}")


def test_analysis_demand_reexports_the_same_objects() -> None:
    assert demand.gross_output is matrices.gross_output
    assert demand.LevelSolver is matrices.LevelSolver
    assert demand.solver is matrices.solver
    assert demand.need_units is matrices.need_units


def _random_shares(ds: Dataset, seed: int) -> np.ndarray:
    """New random shares for the links, summing to 1 per buyer and part (table order)."""
    rng = np.random.default_rng(seed)
    links = ds.supply_links
    raw = rng.random(links.height) + 0.01
    keys = list(zip(links.get_column("buyer").to_list(), links.get_column("part").to_list(), strict=True))
    total: dict[tuple[str, str], float] = {}
    for k, r in zip(keys, raw, strict=True):
        total[k] = total.get(k, 0.0) + float(r)
    return np.array([r / total[k] for k, r in zip(keys, raw, strict=True)])


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(seed=st.integers(0, 2**32 - 1), tiers=st.integers(1, 5), sites=st.integers(1, 8))
def test_gross_output_by_level_solve_equals_dense_solve(seed: int, tiers: int, sites: int) -> None:
    ds = random_dataset(seed, tiers=tiers, sites=sites)
    net = compile(ds)
    ref = dense_reference(ds)
    n = net.n_nodes
    np.testing.assert_allclose(net.A.toarray(), ref["A"], rtol=1e-12, atol=1e-12)
    x = matrices.gross_output(net)
    np.testing.assert_allclose(x, np.linalg.solve(np.eye(n) - ref["A"], ref["d"]), rtol=1e-9, atol=1e-9)
    # several right-hand sides at once
    D = np.random.default_rng(seed).uniform(0.0, 10.0, (n, 3))
    np.testing.assert_allclose(
        matrices.gross_output(net, D), np.linalg.solve(np.eye(n) - ref["A"], D), rtol=1e-9, atol=1e-9
    )
    # replacement shares: A rebuilt from them, against the records with the same shares
    share = _random_shares(ds, seed)
    dense = dense_from_records(ds, net, share)
    np.testing.assert_allclose(matrices.input_matrix_of(net, share).toarray(), dense["A"], rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(
        matrices.gross_output(net, ref["d"], share=share),
        np.linalg.solve(np.eye(n) - dense["A"], ref["d"]),
        rtol=1e-9,
        atol=1e-9,
    )
    np.testing.assert_array_equal(matrices.structure_matrix_of(net).toarray() > 0, dense["P"] > 0)
