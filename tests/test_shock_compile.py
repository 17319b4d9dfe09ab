"""Scenario disruptions → Shock arrays: every target kind, profiles worked by hand, errors naming the row."""

from __future__ import annotations

import numpy as np
import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from importsub.compile import compile
from importsub.compile.shock import Shock, compile_shock, lost_weeks
from importsub.model.dataset import Dataset
from importsub.model.errors import AnalysisError


def with_disruptions(ds: Dataset, rows: list[tuple[str, str, float, float, str]], name: str = "s") -> Dataset:
    scen = pl.concat([ds.scenarios, pl.DataFrame({"name": [name], "year": [2025]})], how="diagonal_relaxed")
    dis = pl.DataFrame(
        [
            {"scenario": name, "target_kind": k, "target": t, "severity": s, "duration": d, "recovery": r}
            for k, t, s, d, r in rows
        ]
    )
    return Dataset.from_frames(ds.name, {**dict(ds.tables), "scenarios": scen, "disruptions": dis})


def test_demo_scenario_of_tiny(tiny: Dataset) -> None:
    net = compile(tiny, "cn-8w")
    sh = compile_shock(tiny, net, "cn-8w")
    cn = net.node("CN1", "CHIP")
    assert sh.hit_nodes.tolist() == [cn]
    assert sh.node_severity[cn] == 1.0
    assert sh.node_duration[cn] == 8.0
    assert sh.window == 8.0
    assert sh.targets.get_column("nodes hit").to_list() == [1]
    # over 8 weeks nothing is left; over 16 weeks half
    assert sh.node_available(8.0)[cn] == 0.0
    assert sh.node_available(16.0)[cn] == pytest.approx(0.5)
    assert np.all(np.delete(sh.node_available(8.0), cn) == 1.0)


@pytest.mark.parametrize(
    ("kind", "target", "expected"),
    [
        ("group", "external", {("DE1", "LAMP"), ("CN1", "CHIP")}),
        ("country", "BY", {("RUD", "LAMP")}),
        ("organization", "AVTOVAZ", {("TLT", "CAR")}),
        ("site", "DE1", {("DE1", "LAMP")}),
        ("part", "LAMP", {("RUD", "LAMP"), ("DE1", "LAMP")}),
    ],
)
def test_target_kinds(tiny: Dataset, kind: str, target: str, expected: set[tuple[str, str]]) -> None:
    ds = with_disruptions(tiny, [(kind, target, 0.5, 3.0, "instant")])
    net = compile(ds, "s")
    sh = compile_shock(ds, net, "s")
    hit = {(net.sites[net.node_site[i]], net.parts[net.node_part[i]]) for i in sh.hit_nodes}
    assert hit == expected
    assert np.all(sh.node_severity[sh.hit_nodes] == 0.5)


def test_link_cut(tiny: Dataset) -> None:
    ds = with_disruptions(tiny, [("link", "TLT|LAMP|DE1", 1.0, 2.0, "instant")])
    net = compile(ds, "s")
    sh = compile_shock(ds, net, "s")
    assert sh.hit_nodes.size == 0
    (e,) = sh.hit_links
    assert net.sites[net.node_site[net.link_supplier[e]]] == "DE1"
    assert sh.link_available(4.0)[e] == pytest.approx(0.5)
    assert sh.window == 2.0


def test_linear_recovery_uses_time_to_recover(tiny: Dataset) -> None:
    # RUD: ttr 4 weeks.  Down 2 weeks, then back linearly over 4: window 6,
    # lost = 2 + (4 − 4²/(2·4)) = 2 + 2 = 4 capacity-weeks over 6 weeks
    ds = with_disruptions(tiny, [("site", "RUD", 1.0, 2.0, "linear")])
    net = compile(ds, "s")
    sh = compile_shock(ds, net, "s")
    rud = net.node("RUD", "LAMP")
    assert sh.window == 6.0
    assert sh.node_lost_weeks(6.0)[rud] == pytest.approx(4.0)
    assert sh.node_available(6.0)[rud] == pytest.approx(1 - 4 / 6)
    # 3 weeks: 2 + (1 − 1/8) = 2.875
    assert sh.node_lost_weeks(3.0)[rud] == pytest.approx(2.875)


def test_overlapping_disruptions_take_the_envelope(tiny: Dataset) -> None:
    ds = with_disruptions(tiny, [("country", "DE", 0.4, 10.0, "instant"), ("site", "DE1", 0.9, 3.0, "instant")])
    net = compile(ds, "s")
    sh = compile_shock(ds, net, "s")
    de = net.node("DE1", "LAMP")
    assert sh.node_severity[de] == 0.9
    assert sh.node_duration[de] == 10.0
    # envelope ≥ each profile
    t = 12.0
    one = lost_weeks(np.array([0.4]), np.array([10.0]), np.array([0.0]), t)[0]
    two = lost_weeks(np.array([0.9]), np.array([3.0]), np.array([0.0]), t)[0]
    assert sh.node_lost_weeks(t)[de] >= max(one, two)


@pytest.mark.parametrize(
    ("kind", "target"),
    [
        ("site", "NOWHERE"),
        ("country", "FR"),
        ("group", "mars"),
        ("part", "WHEEL"),
        ("link", "TLT|LAMP|CN1"),
        ("link", "bad"),
    ],
)
def test_unknown_target_names_the_row(tiny: Dataset, kind: str, target: str) -> None:
    ds = with_disruptions(tiny, [("site", "RUD", 1.0, 1.0, "instant"), (kind, target, 1.0, 2.0, "instant")])
    net = compile(ds, "s")
    with pytest.raises(AnalysisError, match=r"scenario 's', disruption 2") as exc:
        compile_shock(ds, net, "s")
    assert target.split("|")[0] in str(exc.value)


def test_unknown_scenario(tiny: Dataset) -> None:
    net = compile(tiny)
    with pytest.raises(AnalysisError, match="unknown scenario 'nope'"):
        compile_shock(tiny, net, "nope")


def test_single_node_defaults_to_time_to_recover(tiny: Dataset) -> None:
    net = compile(tiny)
    i = net.node("DE1", "LAMP")
    sh = Shock.single_node(net, i)
    assert sh.window == 6.0
    assert sh.node_duration[i] == 6.0
    z = Shock.single_node(net, i, weeks=0.0)
    assert z.hit_nodes.size == 0
    assert z.window == 0.0
    a = np.linspace(0, 1, net.n_nodes)
    assert np.allclose(Shock.from_availability(net, a, 5.0).node_available(5.0), a)


@settings(max_examples=60, deadline=None)
@given(
    s=st.floats(0, 1),
    d=st.floats(0, 30),
    r=st.floats(0, 30),
    t=st.floats(0.01, 80),
)
def test_lost_weeks_matches_numeric_integral(s: float, d: float, r: float, t: float) -> None:
    tau = (np.arange(200_000) + 0.5) / 200_000 * t
    prof = np.where(tau < d, s, np.where((r > 0) & (tau < d + r), s * (1 - (tau - d) / max(r, 1e-300)), 0.0))
    numeric = float(prof.mean() * t)
    exact = float(lost_weeks(np.array([s]), np.array([d]), np.array([r]), t)[0])
    assert exact == pytest.approx(numeric, abs=1e-3 * max(1.0, t))
    assert 0 <= exact <= s * t + 1e-12
