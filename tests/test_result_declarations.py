"""Every analysis result column is declared once (model/data/result_*.csv), and the disclosure rule holds.

The declarations decide units, descriptions and — in the web — whose figure
each column is; a column an analysis returns without a declaration would be
hidden from everyone but admins, so it is a failure here.  The runs cover
the parameters that change a result's columns (portfolio objectives, sweep
targets with the time to survive).
"""

from __future__ import annotations

import math
import re

import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import importsub.demo as demo
from importsub.model.dataset import Dataset
from importsub.model.results import BASES, ROWS, Figure, result_columns, result_tables, split_unit, undeclared
from importsub.web.confidentiality import (
    DOMINANCE,
    MIN_CONTRIBUTORS,
    Viewer,
    disclosable,
    group_buyers,
    group_producers,
    mask_result,
    site_owners,
)
from importsub.web.services.catalogue import build_analyses

_OBJECTIVES = (("loss", 5e10), ("localisation", 5e9), ("mix", 5e9))


def _runs(ds: Dataset) -> list[tuple[str, dict[str, object]]]:
    project = ds.projects["id"][0]
    runs: list[tuple[str, dict[str, object]]] = [
        (kind, {}) for kind in ("summary", "demand", "localisation", "concentration", "balance", "matching")
    ]
    runs += [("shock", {"scenario": "cn-8w"}), ("montecarlo", {"runs": 200, "site_probability": 0.05})]
    runs += [("simulate", {"scenario": "cn-8w", "weeks": 16}), ("montecarlo", {"runs": 100, "simulate": True})]
    runs += [("sweep", {"by": by, "weeks": 8, "tts": True}) for by in ("node", "site", "country")]
    runs += [("programme", {}), ("project", {"project": project}), ("impact", {})]
    # (with 5 bn RUB the loss objective funds nothing on the demo: its chosen table then has no figures)
    runs += [("portfolio", {"budget": b, "objective": o, "steps": 3}) for o, b in _OBJECTIVES]
    runs += [("compliance", {"year": 2024})]
    # a requirement with no rule in force (the demo's illustrative tables cannot be met): its table's columns
    runs += [("portfolio", {"budget": 5e9, "objective": "localisation", "sweep": False, "require": "pp719:2018"})]
    return runs


@pytest.fixture(scope="module")
def produced() -> dict[tuple[str, str], list[str]]:
    ds = demo.load()
    analyses = build_analyses()
    out: dict[tuple[str, str], list[str]] = {}
    for kind, params in _runs(ds):
        spec = analyses[kind]
        result = spec.run(ds, spec.params(**params), lambda done, message=None: None)
        for table, df in result.tables.items():
            cols = out.setdefault((kind, table), [])
            cols += [c for c in df.columns if c not in cols]
    assert {k for k, _ in out} == set(analyses)
    return out


@pytest.mark.slow
def test_every_result_column_is_declared(produced: dict[tuple[str, str], list[str]]) -> None:
    missing = [m for (kind, table), cols in produced.items() for m in undeclared(kind, {table: cols})]
    assert not missing, f"undeclared result columns: {missing}"
    # and no declaration matches nothing (a declared confidential column no analysis returns protects nothing)
    stale = [
        f"{kind}/{table}/{col}"
        for (kind, table), t in result_tables().items()
        for col in t.owners
        if col != ROWS and col not in produced.get((kind, table), [])
    ]
    assert not stale, f"declared but never returned: {stale}"


def test_declarations_are_complete_and_consistent() -> None:
    tables = result_tables()
    assert len(tables) > 50
    for (kind, table), t in tables.items():
        assert t.owners, f"{kind}/{table} declares no column"
        assert t.description, f"{kind}/{table} is not described"
        assert t.description_ru, f"{kind}/{table} is not described in Russian"
        # its Russian name is a sheet name of the Russian XLSX: at most 31 characters, none Excel forbids
        assert t.label_ru, f"{kind}/{table} has no Russian name (label_ru)"
        assert len(t.label_ru) <= 31, f"{kind}/{table}: {t.label_ru!r}"
        assert not set(t.label_ru) & set("\\/?*[]:"), f"{kind}/{table}: {t.label_ru!r}"
        assert re.search("[а-яё]", t.label_ru, re.IGNORECASE), f"{kind}/{table}: {t.label_ru!r} is not Russian"
    for kind in {k for k, _ in tables}:  # sheets of one result: no two of the same name
        names = [t.label_ru.casefold() for (k, _), t in tables.items() if k == kind]
        assert len(names) == len(set(names)), f"{kind}: two tables of the same Russian name"
        for col, fig in t.owners.items():
            if fig.kind in ("site", "organization") or (fig.kind == "aggregate" and fig.column != "*"):
                assert fig.column in t.owners, f"{kind}/{table}/{col}: owner column {fig.column!r} not in the table"
    for c in result_columns().values():
        assert c.description, f"column {c.name!r} is not described"
        assert c.description_ru, f"column {c.name!r} is not described in Russian"
        assert split_unit(c.name)[0] == c.label
    with pytest.raises(ValueError, match="basis"):
        Figure("aggregate", "part", ("nobody",))
    assert set(BASES) >= {b for t in tables.values() for f in t.owners.values() for b in f.bases}


def test_an_undeclared_column_is_hidden_from_everyone_but_admins() -> None:
    ds = demo.load()
    owners = site_owners(ds)
    tables = {"nodes": pl.DataFrame({"site": ["a"], "x [units/yr]": [1.0], "novel [RUB]": [2.0]})}
    seen = mask_result(tables, Viewer("KAMAZ"), owners, analysis="demand")["nodes"]
    assert seen["novel [RUB]"].to_list() == [None]
    assert mask_result(tables, Viewer(None, True), owners, analysis="demand")["nodes"]["novel [RUB]"].to_list() == [2.0]


def test_disclosure_rule_by_hand() -> None:
    """k = 3 and 80 % dominance, judged on what the viewer does not know."""
    assert MIN_CONTRIBUTORS == 3
    assert DOMINANCE == 0.8
    outsider, a = Viewer("Z"), Viewer("A")
    assert disclosable({}, outsider)
    assert not disclosable({"A": 1.0, "B": 1.0}, outsider)  # two: each could subtract its own part
    assert disclosable({"A": 1.0, "B": 1.0, "C": 1.0}, outsider)
    assert not disclosable({"A": 81.0, "B": 10.0, "C": 9.0}, outsider)  # A dominates
    assert disclosable({"A": 80.0, "B": 10.0, "C": 10.0}, outsider)
    # A knows its own 81: of the other 19, B's 10 is not dominant
    assert disclosable({"A": 81.0, "B": 10.0, "C": 9.0}, a)
    # B knows its own 10: A's 81 is 90 % of what B does not know
    assert not disclosable({"A": 81.0, "B": 10.0, "C": 9.0}, Viewer("B"))
    assert disclosable({"A": 5.0}, a)
    assert not disclosable({"A": 5.0, "B": 1.0}, a)
    # zero weight does not contribute; unknown weight (NaN) does, and skips the dominance test
    assert not disclosable({"A": 1.0, "B": 1.0, "C": 0.0}, outsider)
    assert disclosable({"A": math.nan, "B": 1.0, "C": 1.0}, outsider)


_COUNTRIES = ("RU", "BY", "KZ", "DE")


@st.composite
def _networks(draw: st.DrawFn) -> Dataset:
    n = draw(st.integers(1, 7))
    sites = [(f"S{i}", draw(st.sampled_from("ABCDE")), draw(st.sampled_from(_COUNTRIES))) for i in range(n)]
    caps = [draw(st.floats(1, 1e6)) for _ in sites]
    groups = [("union", "RU"), ("union", "BY"), ("union", "KZ"), ("ru-by", "RU"), ("ru-by", "BY"), ("ext", "DE")]
    return Dataset.from_frames(
        "h",
        {
            "sites": pl.DataFrame(
                {
                    "id": [s[0] for s in sites],
                    "organization": [s[1] for s in sites],
                    "name": [s[0] for s in sites],
                    "country": [s[2] for s in sites],
                    "lat": [0.0] * n,
                    "lon": [0.0] * n,
                }
            ),
            "country_groups": pl.DataFrame({"group": [g for g, _ in groups], "iso2": [c for _, c in groups]}),
            "production": pl.DataFrame(
                {"site": [s[0] for s in sites], "part": ["P"] * n, "capacity": caps, "unit_value": [1.0] * n}
            ),
        },
    )


@settings(max_examples=150, deadline=None)
@given(_networks(), st.sampled_from([None, *"ABCDE"]))
def test_no_two_permitted_figures_differ_by_a_hidden_one(ds: Dataset, org: str | None) -> None:
    """Differencing: if a viewer may see a part's capacity for two nested groups (or a group and one of its
    countries), the capacity of what lies between passes the rule too, so subtracting reveals nothing."""
    viewer = Viewer(org)
    members = {
        "union": {"RU", "BY", "KZ"},
        "ru-by": {"RU", "BY"},
        "ext": {"DE"},
        **{c: {c} for c in _COUNTRIES},
    }
    caps: dict[str, dict[str, float]] = {}
    for site, o, country in ds.sites.select("id", "organization", "country").iter_rows():
        cap = ds.production.filter(pl.col("site") == site)["capacity"][0]
        caps.setdefault(country, {})[o] = caps.get(country, {}).get(o, 0.0) + cap

    def cell(where: set[str]) -> dict[str, float]:
        out: dict[str, float] = {}
        for c in where:
            for o, w in caps.get(c, {}).items():
                out[o] = out.get(o, 0.0) + w
        return out

    shown = {g: all(disclosable(c, viewer) for c in group_producers(ds, g).get("P", ({},))) for g in members}
    for g1, m1 in members.items():
        for g2, m2 in members.items():
            if m2 < m1 and shown[g1] and shown[g2]:
                diff = cell(m1 - m2)
                assert not diff or disclosable(diff, viewer), (g1, g2, diff)


def _buyers_dataset(caps: dict[str, float]) -> Dataset:
    """Supplier SUP (RU, org S) sells lamps L to one car plant per organisation; each car takes 2 lamps."""
    plants = list(caps)
    sites = ["SUP", *plants]
    return Dataset.from_frames(
        "buyers",
        {
            "sites": pl.DataFrame(
                {
                    "id": sites,
                    "organization": ["S", *(p[-1] for p in plants)],
                    "name": sites,
                    "country": ["RU"] * len(sites),
                    "lat": [0.0] * len(sites),
                    "lon": [0.0] * len(sites),
                }
            ),
            "country_groups": pl.DataFrame({"group": ["union"], "iso2": ["RU"]}),
            "production": pl.DataFrame(
                {
                    "site": sites,
                    "part": ["L", *(["CAR"] * len(plants))],
                    "capacity": [1e6, *caps.values()],
                    "unit_value": [10.0, *([100.0] * len(plants))],
                }
            ),
            "bom": pl.DataFrame({"parent": ["CAR"], "child": ["L"], "quantity": [2.0]}),
            "supply_links": pl.DataFrame(
                {
                    "buyer": plants,
                    "part": ["L"] * len(plants),
                    "supplier": ["SUP"] * len(plants),
                    "share": [1.0] * len(plants),
                }
            ),
        },
    )


def test_buyers_are_weighted_by_their_need_at_capacity() -> None:
    """A part's buyers weigh what they need of it (capacity × BOM quantity × share), so one dominant buyer
    among three hides an aggregate over buyers, as a dominant producer does over producers."""
    even = group_buyers(_buyers_dataset({"PA": 100.0, "PB": 100.0, "PC": 100.0}))["L"][0]
    assert even == {"A": 200.0, "B": 200.0, "C": 200.0}  # 100 cars × 2 lamps × share 1
    assert disclosable(even, Viewer("Z"))
    skewed = group_buyers(_buyers_dataset({"PA": 900.0, "PB": 50.0, "PC": 50.0}))["L"][0]
    assert skewed == {"A": 1800.0, "B": 100.0, "C": 100.0}
    assert not disclosable(skewed, Viewer("Z"))  # A needs 90 % of the lamps bought
    assert disclosable(skewed, Viewer("A"))  # A knows its own; B and C are even
