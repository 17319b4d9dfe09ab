"""Derived demand: the hand-worked network, an independent dense solve on random
networks, and the linearity properties."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from importsub.analysis.demand import (
    dense_leontief,
    derived_demand,
    gross_output,
    link_flow,
    need_units,
    requirement_by_part,
)
from importsub.compile import compile
from test_compile import NODES, dense_reference, node, random_dataset, three_tier


def test_three_tier_gross_output_by_hand() -> None:
    net = compile(three_tier())
    x = gross_output(net)
    # x_CAR = d = 1,000; x_LAMP = 2 · 1,000 = 2,000; x_BRK-RU = 4 · 0.75 · 1,000 = 3,000;
    # x_BRK-DE = 4 · 0.25 · 1,000 = 1,000; x_LED = 4 · 2,000 = 8,000; x_SUBSTRATE = 1 · 8,000 = 8,000;
    # the share-0 alternative BRK-RU2 makes nothing
    want = {
        "VAZ/CAR": 1_000.0,
        "LAMP-BY/LAMP": 2_000.0,
        "BRK-RU/BRAKE": 3_000.0,
        "BRK-DE/BRAKE": 1_000.0,
        "LED-CN/LED": 8_000.0,
        "SUB-RU/SUBSTRATE": 8_000.0,
        "BRK-RU2/BRAKE": 0.0,
    }
    assert {label: x[node(net, label)] for label in NODES} == pytest.approx(want, abs=1e-9)
    # procurement needs: VAZ needs 4,000 brakes; on the links 3,000 / 1,000 / 0
    flows = dict(
        zip(
            [
                (net.sites[net.node_site[s]], net.sites[net.group_site[g]], net.parts[net.group_part[g]])
                for s, g in zip(net.link_supplier, net.link_group, strict=True)
            ],
            link_flow(net, x),
            strict=True,
        )
    )
    assert flows[("BRK-RU", "VAZ", "BRAKE")] == pytest.approx(3_000.0)
    assert flows[("BRK-DE", "VAZ", "BRAKE")] == pytest.approx(1_000.0)
    assert flows[("BRK-RU2", "VAZ", "BRAKE")] == 0.0
    assert need_units(net, x).sum() == pytest.approx(2_000 + 4_000 + 8_000 + 8_000)
    # gross requirement by BOM, mapped or not: PAD = 2 per brake × 4,000 brakes = 8,000
    req = requirement_by_part(net, x)
    assert req[net.parts.index("PAD")] == pytest.approx(8_000.0)
    assert req[net.parts.index("BRAKE")] == pytest.approx(4_000.0)


def test_derived_demand_table_has_units() -> None:
    r = derived_demand(compile(three_tier()))
    df = r["nodes"]
    assert {"x [units/yr]", "d [units/yr]", "utilisation [%]", "output [RUB/yr]"} <= set(df.columns)
    lamp = df.filter(df["site"] == "LAMP-BY").row(0, named=True)
    # 2,000 lamps of 3,000 capacity: 66.7 %; derived need 2,000 − 0 final demand
    assert lamp["utilisation [%]"] == pytest.approx(200 / 3)
    assert lamp["derived [units/yr]"] == pytest.approx(2_000.0)
    assert r.fingerprint["year"] == 2024


def test_scenario_factor_scales_output() -> None:
    ds = three_tier()
    x = gross_output(compile(ds))
    xb = gross_output(compile(ds, "boom"))
    np.testing.assert_allclose(xb, 1.5 * x, rtol=1e-12)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(seed=st.integers(0, 2**32 - 1), tiers=st.integers(1, 5), sites=st.integers(1, 8))
def test_matches_dense_solve(seed: int, tiers: int, sites: int) -> None:
    ds = random_dataset(seed, tiers=tiers, sites=sites)
    net = compile(ds)
    ref = dense_reference(ds)
    x_ref = np.linalg.solve(np.eye(net.n_nodes) - ref["A"], ref["d"])
    x = gross_output(net)
    scale = max(1.0, float(np.abs(x_ref).max()))
    np.testing.assert_allclose(x, x_ref, rtol=1e-9, atol=1e-9 * scale)
    assert (x >= -1e-9 * scale).all()
    # x = A x + d holds
    np.testing.assert_allclose(x, net.A @ x + net.demand, rtol=1e-9, atol=1e-9 * scale)


@settings(max_examples=50, deadline=None)
@given(seed=st.integers(0, 2**32 - 1), k=st.floats(0.0, 1e3))
def test_linear_in_demand(seed: int, k: float) -> None:
    net = compile(random_dataset(seed))
    x = gross_output(net)
    np.testing.assert_allclose(gross_output(net, 2.0 * net.demand), 2.0 * x, rtol=1e-12, atol=0)
    np.testing.assert_allclose(gross_output(net, k * net.demand), k * x, rtol=1e-12, atol=1e-300)
    # several demand vectors at once equal one at a time
    D = np.stack([net.demand, 3.0 * net.demand, np.ones(net.n_nodes)], axis=1)
    X = gross_output(net, D)
    for col in range(3):
        np.testing.assert_allclose(X[:, col], gross_output(net, D[:, col]), rtol=1e-12)


def test_dense_baseline_agrees() -> None:
    net = compile(random_dataset(7, tiers=5, sites=9))
    x = gross_output(net)
    np.testing.assert_allclose(x, dense_leontief(net), rtol=1e-9, atol=1e-9 * x.max())
