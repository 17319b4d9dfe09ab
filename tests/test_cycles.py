"""Cycles of the BOM and of the supply graph: one strongly-connected-component finder, checked against
dense reachability and on the demo with cycles whose nodes have other children (the case a walk misses)."""

from __future__ import annotations

import itertools

import numpy as np
import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from importsub.demo import load
from importsub.model.errors import ValidationError
from importsub.model.graph import cycles
from importsub.model.messages import problem_text
from importsub.model.validate import ROW, RawTable, check, parse


def _reach(n: int, src: list[int], dst: list[int]) -> np.ndarray:
    """Dense transitive closure R[i, j] = a path of >= 1 edge from i to j (Warshall, independent of scipy)."""
    R = np.zeros((n, n), dtype=bool)
    R[src, dst] = True
    for k in range(n):
        R |= R[:, [k]] & R[[k], :]
    return R


def _cyclic_components(n: int, src: list[int], dst: list[int]) -> set[frozenset[int]]:
    R = _reach(n, src, dst)
    on_cycle = np.flatnonzero(np.diag(R))
    return {frozenset(int(j) for j in on_cycle if R[i, j] and R[j, i]) for i in on_cycle}


@st.composite
def dag_with_cycles(draw: st.DrawFn) -> tuple[int, list[int], list[int]]:
    """A random DAG (edges from lower to higher rank, nodes with several children), plus 0-3 injected cycles
    of 1-5 nodes (a self-loop for one node) between arbitrary nodes."""
    n = draw(st.integers(2, 30))
    rank = draw(st.permutations(range(n)))
    pairs = draw(st.lists(st.tuples(st.integers(0, n - 1), st.integers(0, n - 1)), max_size=4 * n))
    edges = {(rank[a], rank[b]) for a, b in pairs if a < b}
    for _ in range(draw(st.integers(0, 3))):
        nodes = draw(st.lists(st.integers(0, n - 1), min_size=1, max_size=5, unique=True))
        edges |= set(zip(nodes, [*nodes[1:], nodes[0]], strict=True))
    ordered = sorted(edges)
    return n, [a for a, _ in ordered], [b for _, b in ordered]


@settings(max_examples=300, deadline=None)
@given(dag_with_cycles())
def test_finder_names_one_real_cycle_per_cyclic_component(graph: tuple[int, list[int], list[int]]) -> None:
    n, src, dst = graph
    expected = _cyclic_components(n, src, dst)
    found = cycles(n, src, dst)
    edges = set(zip(src, dst, strict=True))
    assert len(found) == len(expected)
    R = _reach(n, src, dst)
    comps = set()
    for cyc in found:
        assert cyc[0] == cyc[-1]
        assert all((a, b) in edges for a, b in itertools.pairwise(cyc)), cyc
        assert len(set(cyc[:-1])) == len(cyc) - 1  # a simple cycle
        comp = frozenset(int(j) for j in np.flatnonzero(R[cyc[0]] & R[:, cyc[0]]))
        assert comp in expected
        comps.add(comp)
    assert comps == expected  # every cyclic component is named once


def _bom_raw(n: int, src: list[int], dst: list[int]) -> list[RawTable]:
    ids = [f"P{i:02d}" for i in range(n)]
    parts = pl.DataFrame(
        {"id": ids, "name": ids, "category": ["x"] * n, "unit_value": ["1"] * n},
        schema=dict.fromkeys(("id", "name", "category", "unit_value"), pl.String),
    )
    bom = pl.DataFrame(
        {"parent": [ids[a] for a in src], "child": [ids[b] for b in dst], "quantity": ["1"] * len(src)},
        schema=dict.fromkeys(("parent", "child", "quantity"), pl.String),
    ).with_columns(pl.Series(ROW, range(2, len(src) + 2), dtype=pl.Int64))  # CSV lines: header on line 1
    return [RawTable("parts", parts, "parts.csv", "parts"), RawTable("bom", bom, "bom.csv", "bom")]


@settings(max_examples=150, deadline=None)
@given(dag_with_cycles())
def test_validation_reports_every_bom_cycle(graph: tuple[int, list[int], list[int]]) -> None:
    n, src, dst = graph
    expected = _cyclic_components(n, src, dst)
    raw = _bom_raw(n, src, dst)
    if not expected:
        parse(raw)
        return
    with pytest.raises(ValidationError) as info:
        parse(raw)
    found = [p for p in info.value.problems if p.message.startswith("BOM cycle: ")]
    assert len(found) == len(expected), [str(p) for p in info.value.problems]
    bom_rows = {(f"P{a:02d}", f"P{b:02d}"): i + 2 for i, (a, b) in enumerate(zip(src, dst, strict=True))}
    for p in found:
        assert p.file == "bom.csv"
        assert p.sheet == "bom"
        assert p.column == "child"
        path = p.message.removeprefix("BOM cycle: ").split(" (rows ")[0].split(" → ")
        # the row named is the BOM line that closes the cycle
        assert p.row == bom_rows[(path[-2], path[-1])]
        assert p.message_id == "bom_cycle"
        ru = problem_text(p, "ru")  # the web's Russian keeps the cycle and its rows
        assert ru.startswith("цикл в спецификации (BOM): "), ru
        assert " → ".join(path) in ru, ru


def test_demo_self_loop_of_a_vehicle_with_other_children() -> None:
    # GAZON-NEXT has a dozen other children: the old walk from it went down a dead end and let this pass
    ds = load()
    assert ds.bom.filter(pl.col("parent") == "GAZON-NEXT").height > 3
    bom = pl.concat(
        [ds.bom, pl.DataFrame({"parent": ["GAZON-NEXT"], "child": ["GAZON-NEXT"], "quantity": [1.0]})], how="diagonal"
    )
    with pytest.raises(ValidationError) as info:
        check(ds.replace(bom=bom))
    (p,) = [p for p in info.value.problems if "BOM cycle" in p.message]
    assert p.message.startswith("BOM cycle: GAZON-NEXT → GAZON-NEXT")
    assert (p.sheet, p.row, p.column) == ("bom", ds.bom.height + 1, "child")


def test_demo_two_node_cycle_through_a_material() -> None:
    # MAT-MCU is an input of CMP-ABS-HYD; making MAT-MCU out of CMP-ABS-HYD closes a 2-node cycle
    ds = load()
    assert ds.bom.filter((pl.col("parent") == "CMP-ABS-HYD") & (pl.col("child") == "MAT-MCU")).height == 1
    bom = pl.concat(
        [ds.bom, pl.DataFrame({"parent": ["MAT-MCU"], "child": ["CMP-ABS-HYD"], "quantity": [1.0]})], how="diagonal"
    )
    with pytest.raises(ValidationError) as info:
        check(ds.replace(bom=bom))
    (p,) = [p for p in info.value.problems if "BOM cycle" in p.message]
    assert "CMP-ABS-HYD → MAT-MCU → CMP-ABS-HYD" in p.message
    assert p.row == ds.bom.height + 1


def test_hand_worked_cycle_below_a_branch() -> None:
    # 0 → 1 → 2 → 3 → 1, and 0 → 4, 2 → 5: one cycle 1 → 2 → 3 → 1 (lowest node first), 0/4/5 are on none
    assert cycles(6, [0, 1, 2, 3, 0, 2], [1, 2, 3, 1, 4, 5]) == [[1, 2, 3, 1]]
    assert cycles(3, [0, 1], [1, 2]) == []
