"""Statutory localisation against independent computations on random networks: the CIS 2009 roll-up against
a recursion over the dataset's records, the supply-tree units against a dense inverse."""

from __future__ import annotations

from datetime import date
from typing import Any

import numpy as np
import polars as pl
from hypothesis import given, settings
from hypothesis import strategies as st

from importsub.analysis.compliance.cis2009 import origin
from importsub.analysis.compliance.common import Context, input_units
from importsub.compile import compile
from importsub.model.dataset import Dataset
from importsub.model.validate import check

COUNTRIES = ("RU", "BY", "CN")
UNION = {"RU", "BY"}
# part -> BOM children; C is shared by A and B (a diamond), D is a leaf of B
TREE = {"F": ("A", "B"), "A": ("C",), "B": ("C", "D"), "C": (), "D": ()}
HS = {"F": "8703", "A": "8407", "B": "8708", "C": "8409", "D": "8409"}


@st.composite
def networks(draw: st.DrawFn) -> dict[str, Any]:
    frac = st.floats(0.1, 0.9)
    v = {"C": draw(st.floats(1.0, 10.0)), "D": draw(st.floats(1.0, 10.0))}
    v["A"] = v["C"] / draw(frac)
    v["B"] = (v["C"] + v["D"]) / draw(frac)
    v["F"] = (v["A"] + v["B"]) / draw(frac)
    producers = {p: draw(st.lists(st.sampled_from(COUNTRIES), min_size=1, max_size=2)) for p in TREE}
    producers["F"] = ["RU"]
    shares = {p: draw(st.floats(0.0, 1.0)) for p in TREE}
    limit = draw(st.sampled_from([0.3, 0.5, 0.7]))
    digits = draw(st.sampled_from([0, 4]))
    return {"v": v, "producers": producers, "shares": shares, "limit": limit, "digits": digits}


def _sites(spec: dict[str, Any]) -> dict[str, list[tuple[str, str]]]:
    """part -> [(site id, country)]."""
    return {p: [(f"{p}{k}", c) for k, c in enumerate(cs)] for p, cs in spec["producers"].items()}


def _share(spec: dict[str, Any], part: str, k: int, n: int) -> float:
    s = spec["shares"][part]
    return 1.0 if n == 1 else (s if k == 0 else 1.0 - s)


def _dataset(spec: dict[str, Any]) -> Dataset:
    sites = _sites(spec)
    all_sites = [(s, c) for p in sites for s, c in sites[p]]
    links = [
        {"buyer": buyer, "part": child, "supplier": s, "share": _share(spec, child, k, len(sites[child]))}
        for parent, children in TREE.items()
        for buyer, _ in sites[parent]
        for child in children
        for k, (s, _) in enumerate(sites[child])
    ]
    bom = [{"parent": p, "child": c, "quantity": 1.0} for p, cs in TREE.items() for c in cs]
    return check(
        Dataset.from_frames(
            "random",
            {
                "countries": pl.DataFrame({"iso2": list(COUNTRIES), "name": list(COUNTRIES)}),
                "country_groups": pl.DataFrame({"group": ["union", "union"], "iso2": ["RU", "BY"]}),
                "organizations": pl.DataFrame(
                    {
                        "id": [s for s, _ in all_sites],
                        "name": [s for s, _ in all_sites],
                        "country": [c for _, c in all_sites],
                        "kind": ["supplier"] * len(all_sites),
                    }
                ),
                "sites": pl.DataFrame(
                    {
                        "id": [s for s, _ in all_sites],
                        "organization": [s for s, _ in all_sites],
                        "name": [s for s, _ in all_sites],
                        "country": [c for _, c in all_sites],
                        "lat": [50.0] * len(all_sites),
                        "lon": [30.0] * len(all_sites),
                    }
                ),
                "parts": pl.DataFrame(
                    {
                        "id": list(TREE),
                        "name": list(TREE),
                        "category": ["x"] * 5,
                        "hs_code": [HS[p] for p in TREE],
                        "unit_value": [spec["v"][p] for p in TREE],
                    }
                ),
                "bom": pl.DataFrame(bom),
                "production": pl.DataFrame(
                    {
                        "site": [s for s, _ in all_sites],
                        "part": [p for p in sites for _ in sites[p]],
                        "capacity": [1e6] * len(all_sites),
                    }
                ),
                "supply_links": pl.DataFrame(links),
                "demand": pl.DataFrame({"site": ["F0"], "part": ["F"], "year": [2024], "units": [10.0]}),
                "rules": pl.DataFrame(
                    {
                        "id": ["CIS"],
                        "regime": ["cis2009"],
                        "effective_from": [date(2010, 1, 1)],
                        "max_foreign_share": [spec["limit"]],
                        "heading_digits": [spec["digits"]],
                    }
                ),
            },
        )
    )


def _reference(spec: dict[str, Any]) -> dict[str, tuple[bool, float]]:
    """Origin of every site by recursion over the records: (originates, foreign share of its price)."""
    sites = _sites(spec)
    country = {s: c for p in sites for s, c in sites[p]}
    part_of = {s: p for p in sites for s, _ in sites[p]}
    memo: dict[str, tuple[bool, float]] = {}

    def judge(site: str) -> tuple[bool, float]:
        if site in memo:
            return memo[site]
        part = part_of[site]
        foreign, bad_headings = 0.0, []
        for child in TREE[part]:
            for k, (s, _) in enumerate(sites[child]):
                share = _share(spec, child, k, len(sites[child]))
                if share > 0 and not judge(s)[0]:
                    foreign += share * spec["v"][child] / spec["v"][part]
                    bad_headings.append(HS[child])
        d = spec["digits"]
        change = d > 0 and all(h[:d] != HS[part][:d] for h in bad_headings)
        memo[site] = (country[site] in UNION and (foreign <= spec["limit"] + 1e-9 or change), foreign)
        return memo[site]

    return {s: judge(s) for s in country}


@settings(max_examples=80, deadline=None)
@given(spec=networks())
def test_cis_roll_up_matches_a_recursion_over_the_records(spec: dict[str, Any]) -> None:
    ds = _dataset(spec)
    net = compile(ds)
    o = origin(Context(net, 2024, "union"))
    ref = _reference(spec)
    for j in range(net.n_nodes):
        site = net.sites[net.node_site[j]]
        assert bool(o.originates[j]) == ref[site][0], (site, o.foreign[j], ref[site])
        assert abs(o.foreign[j] - ref[site][1]) < 1e-9


@settings(max_examples=40, deadline=None)
@given(spec=networks())
def test_supply_tree_units_match_a_dense_inverse(spec: dict[str, Any]) -> None:
    net = compile(_dataset(spec))
    finals = net.final_nodes
    dense = np.linalg.inv(np.eye(net.n_nodes) - net.A.toarray())  # the reference only: never in the code
    expected = dense[:, finals] - np.eye(net.n_nodes)[:, finals]
    assert np.allclose(input_units(net, finals), expected, atol=1e-9)
