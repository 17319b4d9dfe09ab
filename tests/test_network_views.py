"""Network views (labelled frames), a short repr, and read-only arrays."""

from __future__ import annotations

import numpy as np
import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from importsub import demo
from importsub.compile import Network, compile
from importsub.demo.synth import synth


@pytest.fixture(scope="module")
def net() -> Network:
    return compile(demo.load())


def test_repr_is_short(net: Network) -> None:
    text = repr(net)
    assert len(text) < 3_000
    assert "by-ru-auto" in text
    assert f"{net.n_links:,}" in text
    assert "<table>" in net._repr_html_()


def test_nodes_view_matches_the_records(net: Network) -> None:
    ds = demo.load()
    nodes = net.nodes
    assert nodes.height == net.n_nodes == ds.production.height
    # capacities read back by (site, part) from the records, not from the arrays
    cap = dict(
        zip(zip(ds.production["site"], ds.production["part"], strict=True), ds.production["capacity"], strict=True)
    )
    for row in nodes.sample(50, seed=1).iter_rows(named=True):
        assert row["capacity [units/yr]"] == cap[(row["site"], row["part"])]
    site_country = dict(ds.sites.select("id", "country").iter_rows())
    assert all(site_country[s] == c for s, c in nodes.select("site", "country").iter_rows())
    pooled = nodes.filter(pl.col("pool").is_not_null()).select("site", "part", "pool").sort("part")
    pools = ds.production.filter(pl.col("pool").is_not_null()).select("site", "part", "pool").sort("part")
    assert pooled.rows() == pools.rows()


def test_links_and_groups_views_match_the_records(net: Network) -> None:
    ds = demo.load()
    links = net.links
    assert links.height == ds.supply_links.height
    got = sorted(links.select("buyer", "part", "supplier").iter_rows())
    assert got == sorted(ds.supply_links.select("buyer", "part", "supplier").iter_rows())
    shares = links.group_by("buyer", "part").agg(pl.col("share [%]").sum())["share [%]"]
    assert np.allclose(shares.to_numpy(), 100.0)
    groups = net.procurement_groups
    assert groups["suppliers"].sum() == links.height
    assert groups.height == ds.supply_links.select("buyer", "part").unique().height
    assert net.pools.height == ds.capacity_pools.height


def test_arrays_are_read_only(net: Network) -> None:
    for array in (net.capacity, net.value, net.link_share, net.w, net.A.data, net.groups["union"]):
        with pytest.raises(ValueError, match="read-only"):
            array[0] = 1.0
    copy = net.capacity.copy()
    copy[0] = 1.0  # a copy is the caller's to edit
    assert copy.flags.writeable
    assert net.capacity[0] >= 1_000.0  # the network's own array is unchanged


@settings(max_examples=8, deadline=None)
@given(sites=st.integers(60, 400), seed=st.integers(0, 10_000))
def test_views_are_consistent_on_synthetic_networks(sites: int, seed: int) -> None:
    n = compile(synth(sites, seed=seed))
    assert n.nodes.height == n.n_nodes
    assert n.links.height == n.n_links
    assert n.procurement_groups["suppliers"].sum() == n.n_links
    assert n.pools["parts"].sum() == int((n.pool >= 0).sum())
    assert n.nodes["pool"].is_not_null().sum() == int((n.pool >= 0).sum())
    assert len(repr(n)) < 3_000
    assert not n.link_share.flags.writeable
