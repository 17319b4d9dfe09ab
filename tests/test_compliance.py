"""Statutory localisation, worked by hand on small networks: Decree 719 points, CIS 2009 origin (a 49 % / 51 %
input flips its parent), EAEU 105 required operations and the industrial-assembly share."""

from __future__ import annotations

import dataclasses
import json
from datetime import date
from pathlib import Path
from typing import Any

import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from importsub.analysis.compliance import compliance, compliance_of, horizon, networks_for_years
from importsub.analysis.compliance.cis2009 import origin
from importsub.analysis.compliance.common import Context
from importsub.compile import compile
from importsub.compile.network import Network
from importsub.model.dataset import Dataset
from importsub.model.validate import check

D = date


def frames() -> dict[str, pl.DataFrame]:
    """A car at Togliatti (RU): an engine from a RU motor plant whose cylinder block comes 60 % from RU and
    40 % from CN; two headlamps from BY; 500 kg of RU steel; a gearbox from CN."""
    return {
        "countries": pl.DataFrame({"iso2": ["RU", "BY", "CN"], "name": ["Russia", "Belarus", "China"]}),
        "country_groups": pl.DataFrame({"group": ["union", "union", "external"], "iso2": ["RU", "BY", "CN"]}),
        "organizations": pl.DataFrame(
            {
                "id": ["OEM", "MOTOR", "BLOCK-RU", "BLOCK-CN", "LAMP-BY", "STEEL-RU", "GEAR-CN"],
                "name": ["OEM", "Motor plant", "Foundry RU", "Foundry CN-1", "Lamps BY", "Steel RU", "Gearbox CN-1"],
                "country": ["RU", "RU", "RU", "CN", "BY", "RU", "CN"],
                "kind": ["oem", "supplier", "supplier", "supplier", "supplier", "supplier", "supplier"],
                "inn": [None, "7707083893", None, None, None, None, None],
                "ogrn": [None, None, "1027700132195", None, None, None, None],
            }
        ),
        "sites": pl.DataFrame(
            {
                "id": ["TLT", "ENG", "BLK-RU", "BLK-CN", "LMP", "STL", "GBX"],
                "organization": ["OEM", "MOTOR", "BLOCK-RU", "BLOCK-CN", "LAMP-BY", "STEEL-RU", "GEAR-CN"],
                "name": ["Togliatti", "Motor", "Foundry", "Foundry CN", "Lamps", "Steel", "Gearbox"],
                "country": ["RU", "RU", "RU", "CN", "BY", "RU", "CN"],
                "lat": [53.5, 56.0, 55.0, 30.0, 53.9, 55.0, 31.0],
                "lon": [49.4, 40.0, 38.0, 120.0, 27.5, 60.0, 121.0],
            }
        ),
        "parts": pl.DataFrame(
            {
                "id": ["CAR", "ENGINE", "BLOCK", "LAMP", "STEEL", "GEARBOX"],
                "name": ["Car", "Engine", "Cylinder block", "Headlamp", "Steel", "Gearbox"],
                "category": ["vehicle", "engine", "engine", "lighting", "steel", "driveline"],
                "unit": ["pcs", "pcs", "pcs", "pcs", "kg", "pcs"],
                "hs_code": ["8703", "8407", "8409", "8512", "7208", "8708"],
                "unit_value": [1_000_000.0, 200_000.0, 50_000.0, 10_000.0, 100.0, 100_000.0],
                "material": [False, False, False, False, True, False],
            }
        ),
        "bom": pl.DataFrame(
            {
                "parent": ["CAR", "CAR", "CAR", "CAR", "ENGINE"],
                "child": ["ENGINE", "LAMP", "STEEL", "GEARBOX", "BLOCK"],
                "quantity": [1.0, 2.0, 500.0, 1.0, 1.0],
            }
        ),
        "production": pl.DataFrame(
            {
                "site": ["TLT", "ENG", "BLK-RU", "BLK-CN", "LMP", "STL", "GBX"],
                "part": ["CAR", "ENGINE", "BLOCK", "BLOCK", "LAMP", "STEEL", "GEARBOX"],
                "capacity": [1e4, 1e4, 1e4, 1e4, 1e5, 1e8, 1e4],
            }
        ),
        "supply_links": pl.DataFrame(
            {
                "buyer": ["TLT", "TLT", "TLT", "TLT", "ENG", "ENG"],
                "part": ["ENGINE", "LAMP", "STEEL", "GEARBOX", "BLOCK", "BLOCK"],
                "supplier": ["ENG", "LMP", "STL", "GBX", "BLK-RU", "BLK-CN"],
                "share": [1.0, 1.0, 1.0, 1.0, 0.6, 0.4],
            }
        ),
        "demand": pl.DataFrame(
            {"site": ["TLT", "TLT"], "part": ["CAR", "CAR"], "year": [2020, 2024], "units": [100.0, 120.0]}
        ),
        "rules": pl.DataFrame(
            {
                "id": ["PP-2019", "PP-2024", "CIS", "ASM", "EA"],
                "regime": ["pp719", "pp719", "cis2009", "assembly", "eaeu105"],
                "code_from": ["8703", "8703", None, "8703", "8703"],
                "effective_from": [D(2019, 6, 1), D(2024, 1, 1), D(2010, 1, 1), D(2010, 1, 1), D(2021, 1, 1)],
                "effective_to": [D(2023, 12, 31), None, None, None, None],
            }
        ),
        "rule_items": pl.DataFrame(
            {
                "rule": ["PP-2019"] * 5 + ["PP-2024"] * 4 + ["EA", "EA"],
                "item": ["weld", "engine", "block", "steel", "rnd", "weld", "paint", "engine", "rnd", "weld", "paint"],
                "kind": [
                    "operation",
                    "component",
                    "component",
                    "material",
                    "rnd",
                    "operation",
                    "operation",
                    "component",
                    "rnd",
                    "operation",
                    "operation",
                ],
                "code": [
                    "welding",
                    "ENGINE",
                    "8409",
                    "STEEL",
                    "RND",
                    "welding",
                    "painting",
                    "ENGINE",
                    "RND",
                    "welding",
                    "painting",
                ],
                "points": [400.0, 300.0, 95.0, 200.0, 200.0, 400.0, 500.0, 250.0, 100.0, 0.0, 0.0],
                "min_share": [1.0, 1.0, 0.5, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0],
                "per_step": [None, None, None, None, 0.005, None, None, None, 0.005, None, None],
                "required": [False] * 9 + [True, True],
            }
        ),
        "rule_thresholds": pl.DataFrame(
            {
                "rule": ["PP-2019", "PP-2024", "PP-2024", "ASM"],
                "purpose": ["procurement"] * 4,
                "year": [2019, 2024, 2026, 2020],
                "minimum": [1000.0, 800.0, 1500.0, 70.0],
            }
        ),
        "site_operations": pl.DataFrame(
            {"site": ["TLT", "TLT"], "part": ["CAR", "CAR"], "operation": ["welding", "RND"], "share": [1.0, 0.012]}
        ),
        "registry_entries": pl.DataFrame(
            {
                "number": ["R-1", "R-2"],
                "product": ["Engine", "Cylinder block"],
                "inn": ["7707083893", None],
                "ogrn": [None, "1027700132195"],
                "tnved": ["8407", "8409100000"],
                "doc_date": [D(2019, 1, 1), D(2019, 1, 1)],
                "valid_until": [D(2025, 6, 30), None],
            }
        ),
    }


def dataset(**changes: pl.DataFrame) -> Dataset:
    return check(Dataset.from_frames("compliance", {**frames(), **changes}))


def models(ds: Dataset, year: int, regime: str = "all") -> pl.DataFrame:
    return compliance_of(ds, year, regime=regime)["models"]


def one(df: pl.DataFrame, **where: Any) -> dict[str, Any]:
    rows = df.filter(pl.all_horizontal([pl.col(k) == v for k, v in where.items()])).to_dicts()
    assert len(rows) == 1, (where, df)
    return rows[0]


def test_pp719_points_summed_by_hand() -> None:
    # 2020, rule of 2019: welding 400 + engine (RU, registered by INN) 300 + cylinder block (60 % from a
    # producer registered by OGRN and TN VED prefix, ≥ 50 %) 95 + RU steel 200 + R&D 1.2 % → 2 steps × 200
    row = one(models(dataset(), 2020, "pp719"), regime="pp719")
    assert row["rule"] == "PP-2019"
    assert row["score [points]"] == 400 + 300 + 95 + 200 + 400
    assert row["threshold [points]"] == 1000
    assert row["margin [points]"] == 395
    assert row["pass"] is True


def test_a_2019_and_a_2024_rule_table_score_the_same_data_differently() -> None:
    ds = dataset()
    r2020 = one(models(ds, 2020, "pp719"), regime="pp719")
    r2024 = one(models(ds, 2024, "pp719"), regime="pp719")
    # 2024: welding 400 + painting 0 (not done) + engine 250 + R&D 2 × 100
    assert (r2020["rule"], r2024["rule"]) == ("PP-2019", "PP-2024")
    assert r2024["score [points]"] == 400 + 250 + 200 != r2020["score [points]"]
    assert r2024["threshold [points]"] == 800
    assert r2024["pass"] is True


def test_a_registry_entry_expiring_before_the_date_changes_the_score() -> None:
    ds = dataset()
    nets = networks_for_years(ds, [2025, 2026])
    s2025 = one(compliance(nets, 2025, regime="pp719")["models"], regime="pp719")["score [points]"]
    s2026 = one(compliance(nets, 2026, regime="pp719")["models"], regime="pp719")["score [points]"]
    assert nets[2025] is nets[2026]  # the same network (demand of 2024): only the date differs
    assert s2025 - s2026 == 250  # the engine's entry ran out on 30 June 2025


def test_first_breach_as_thresholds_rise_and_entries_expire() -> None:
    result = compliance_of(dataset(), 2024, regime="pp719")
    breach = one(result["first breach"], regime="pp719")
    # 2024: 850 ≥ 800; 2026: 600 (engine entry expired) < 1500
    assert breach["first breach [year]"] == 2026
    assert breach["score [points]"] == 600
    assert breach["threshold [points]"] == 1500
    assert horizon(dataset(), 2024) == [2024, 2026]


def test_items_say_what_earns_each_point() -> None:
    items = compliance_of(dataset(), 2024, regime="pp719")["items"]
    paint = one(items, item="paint")
    assert paint["met"] is False
    assert paint["earned [points]"] == 0
    assert "not performed" in paint["reason"]
    assert items["earned [points]"].sum() == 850


def test_next_steps_name_the_operation_and_the_registered_producer() -> None:
    steps = compliance_of(dataset(), 2024, regime="pp719")["next steps"]
    assert one(steps, item="paint")["route"] == "operation"
    assert one(steps, item="paint")["points gain [points]"] == 500


def test_all_of_items_earn_only_together() -> None:
    f = frames()
    items = f["rule_items"].with_columns(
        all_of=pl.when(pl.col("item").is_in(["weld", "paint"]) & (pl.col("rule") == "PP-2024")).then(pl.lit("body"))
    )
    row = one(models(dataset(rule_items=items), 2024, "pp719"), regime="pp719")
    assert row["score [points]"] == 250 + 200  # welding alone earns nothing without painting


def test_assembly_share_by_hand() -> None:
    # kit per car: engine 0.2 + lamps 0.02 + steel 0.05 + gearbox 0.1 of the car's value; imported: gearbox
    row = one(models(dataset(), 2024, "assembly"), regime="assembly")
    assert row["assembly share [%]"] == pytest.approx(100 * (1 - 0.1 / 0.37))
    assert row["target [%]"] == 70
    assert row["pass"] is True
    assert row["margin [pp]"] == pytest.approx(100 * (1 - 0.1 / 0.37) - 70)


def test_eaeu105_needs_every_required_operation() -> None:
    row = one(models(dataset(), 2024, "eaeu105"), regime="eaeu105")
    assert row["pass"] is False
    assert "paint" in row["note"]
    ops = frames()["site_operations"].vstack(
        pl.DataFrame({"site": ["TLT"], "part": ["CAR"], "operation": ["painting"], "share": [1.0]})
    )
    assert one(models(dataset(site_operations=ops), 2024, "eaeu105"), regime="eaeu105")["pass"] is True


def _chain(chip_value: float, heading_digits: int = 0) -> Dataset:
    """P (RU, 100 RUB) ← X (BY, 60 RUB) ← Z (CN): Z's value decides whether X originates."""
    return check(
        Dataset.from_frames(
            "cis",
            {
                "countries": pl.DataFrame({"iso2": ["RU", "BY", "CN"], "name": ["Russia", "Belarus", "China"]}),
                "country_groups": pl.DataFrame({"group": ["union", "union"], "iso2": ["RU", "BY"]}),
                "organizations": pl.DataFrame(
                    {"id": ["A", "B", "C"], "name": ["A", "B", "C"], "country": ["RU", "BY", "CN"], "kind": ["oem"] * 3}
                ),
                "sites": pl.DataFrame(
                    {
                        "id": ["SP", "SX", "SZ"],
                        "organization": ["A", "B", "C"],
                        "name": ["p", "x", "z"],
                        "country": ["RU", "BY", "CN"],
                        "lat": [55.0, 53.0, 30.0],
                        "lon": [37.0, 27.0, 120.0],
                    }
                ),
                "parts": pl.DataFrame(
                    {
                        "id": ["P", "X", "Z"],
                        "name": ["p", "x", "z"],
                        "category": ["vehicle", "module", "chip"],
                        "hs_code": ["8703", "8512", "8541"],
                        "unit_value": [100.0, 60.0, chip_value],
                    }
                ),
                "bom": pl.DataFrame({"parent": ["P", "X"], "child": ["X", "Z"], "quantity": [1.0, 1.0]}),
                "production": pl.DataFrame(
                    {"site": ["SP", "SX", "SZ"], "part": ["P", "X", "Z"], "capacity": [1e3] * 3}
                ),
                "supply_links": pl.DataFrame(
                    {"buyer": ["SP", "SX"], "part": ["X", "Z"], "supplier": ["SX", "SZ"], "share": [1.0, 1.0]}
                ),
                "demand": pl.DataFrame({"site": ["SP"], "part": ["P"], "year": [2024], "units": [10.0]}),
                "rules": pl.DataFrame(
                    {
                        "id": ["CIS"],
                        "regime": ["cis2009"],
                        "effective_from": [D(2010, 1, 1)],
                        "heading_digits": [heading_digits],
                    }
                ),
            },
        )
    )


@pytest.mark.parametrize(("chip", "x_originates"), [(0.49 * 60, True), (0.51 * 60, False)])
def test_cis_roll_up_a_49_or_51_percent_input_flips_its_parent(chip: float, x_originates: bool) -> None:
    ds = _chain(chip)
    result = compliance_of(ds, 2024, regime="cis2009")
    row = one(result["models"], regime="cis2009")
    # value added would count X's 51 % or 49 % partly; origin counts X whole: 0 % or 60 % foreign at P
    assert row["foreign share [%]"] == pytest.approx(0.0 if x_originates else 60.0)
    assert row["pass"] is x_originates
    items = result["items"]
    assert items.filter(pl.col("item") == "SX/X").height == (0 if x_originates else 1)
    assert one(items, item="SZ/Z")["tier"] == 2
    assert "outside the group" in one(items, item="SZ/Z")["reason"]


def test_cis_heading_change_confers_origin() -> None:
    # X (8512) from a CN chip (8541) at 51 %: with the 4-digit heading test X originates all the same
    ds = _chain(0.51 * 60, 4)
    row = one(compliance_of(ds, 2024, regime="cis2009")["models"], regime="cis2009")
    assert row["pass"] is True
    assert row["foreign share [%]"] == 0.0
    net = compile(ds)
    o = origin(Context(net, 2024, "union"))
    x = net.node("SX", "X")
    assert o.heading_change[x]
    assert o.originates[x]
    assert o.foreign[x] == pytest.approx(0.51)
    # the same heading on both sides (X re-coded 8541): no change, X fails, and P (8703) counts it as foreign
    # (60 %) but originates by its own change of heading
    same = ds.replace(
        parts=ds.parts.with_columns(hs_code=pl.when(pl.col("id") == "X").then(pl.lit("8541")).otherwise("hs_code"))
    )
    o2 = origin(Context(compile(same), 2024, "union"))
    assert not o2.originates[x]
    p = net.node("SP", "P")
    assert o2.foreign[p] == pytest.approx(0.6)
    assert o2.originates[p]
    assert o2.heading_change[p]


def _with(net: Network, **tables: pl.DataFrame) -> Network:
    return dataclasses.replace(net, statutory={**net.statutory, **tables})


OPS = ["welding", "painting", "RND", "other"]


def _ops(rows: list[tuple[str, float]]) -> pl.DataFrame:
    best: dict[str, float] = {}
    for op, share in rows:
        best[op] = max(best.get(op, 0.0), share)
    df = pl.DataFrame(
        {
            "site": ["TLT"] * len(best),
            "part": ["CAR"] * len(best),
            "operation": list(best),
            "share": list(best.values()),
        },
        schema={"site": pl.String, "part": pl.String, "operation": pl.String, "share": pl.Float64},
    )
    return Dataset.from_frames("ops", {"site_operations": df}).site_operations


@settings(max_examples=60, deadline=None)
@given(
    existing=st.lists(st.tuples(st.sampled_from(OPS), st.floats(0.0, 1.0)), max_size=4),
    added=st.tuples(st.sampled_from(OPS), st.floats(0.0, 1.0)),
    registered=st.booleans(),
)
def test_adding_a_local_operation_never_lowers_a_score(
    existing: list[tuple[str, float]], added: tuple[str, float], registered: bool
) -> None:
    net = _NET[0]
    if not registered:  # with or without the registry entries: monotone either way
        net = _with(net, registry_entries=net.statutory["registry_entries"].head(0))
    for year in (2020, 2024):
        before = _score(_with(net, site_operations=_ops(existing)), year)
        after = _score(_with(net, site_operations=_ops([*existing, added])), year)
        assert after >= before


def _score(net: Network, year: int) -> float:
    result = compliance({year: net}, year, regime="pp719")
    return float(result["models"]["score [points]"][0])


_NET = [compile(dataset(), year=2024)]


@settings(max_examples=60, deadline=None)
@given(values=st.lists(st.floats(1.0, 50.0), min_size=2, max_size=2), limit=st.floats(0.0, 1.0))
def test_a_parent_whose_inputs_all_originate_originates(values: list[float], limit: float) -> None:
    # X (BY) made of a RU input: every input originates, so X and P originate whatever the values and limit
    ds = _chain(values[0])
    ds = ds.replace(
        sites=ds.sites.with_columns(country=pl.when(pl.col("id") == "SZ").then(pl.lit("RU")).otherwise("country")),
        rules=ds.rules.with_columns(max_foreign_share=pl.lit(limit)),
    )
    o = origin(Context(compile(ds), 2024, "union"))
    assert o.originates.all()
    assert o.foreign.max() == 0.0


def _call(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    from importsub.cli.common import run
    from importsub.cli.main import app

    code = run(app, list(args))
    cap = capsys.readouterr()
    return code, cap.out, cap.err


def test_cli_on_the_stored_data(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from importsub.store import Store

    db = str(tmp_path / "s.sqlite")
    Store(db).write_dataset(dataset())
    code, out, _ = _call(
        capsys, "analyze", "compliance", "--db", db, "-d", "compliance", "--regime", "pp719", "--year", "2024",
        "--purpose", "procurement", "-f", "json",
    )  # fmt: skip
    assert code == 0
    doc = json.loads(out)
    (row,) = doc["tables"]["models"]
    assert (row["score [points]"], row["threshold [points]"], row["pass"]) == (850.0, 800.0, True)
    assert doc["tables"]["first breach"][0]["first breach [year]"] == 2026
    assert doc["fingerprint"]["regime"] == "pp719"
    code, _, err = _call(capsys, "analyze", "compliance", "--db", db, "-d", "compliance", "--regime", "pp720")
    assert code != 0
    assert "unknown regime 'pp720'" in err


def test_cli_on_the_demo_gives_scores_thresholds_and_first_breach(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from importsub import demo
    from importsub.model.results import undeclared
    from importsub.store import Store

    db = str(tmp_path / "s.sqlite")
    Store(db).write_dataset(demo.load())
    code, out, _ = _call(capsys, "analyze", "compliance", "--db", db, "--year", "2024", "-f", "json")
    assert code == 0
    tables = json.loads(out)["tables"]
    vesta = [r for r in tables["models"] if r["part"] == "LADA-VESTA" and r["regime"] == "pp719"]
    assert {"score [points]", "threshold [points]"} <= set(vesta[0])
    # the partial, illustrative table: engine + gearbox + stamping 2,300, R&D 1 % → 400, paint ≥ 60 % → 100
    assert vesta[0]["score [points]"] == 2800.0
    assert tables["first breach"]
    assert undeclared("compliance", {name: list(rows[0]) for name, rows in tables.items() if rows}) == []


def test_expiring_entries_and_the_points_each_model_would_lose() -> None:
    # judged on 1 Jan 2025: the engine's entry runs out on 30 June 2025 → the car loses the engine's 250
    (row,) = compliance_of(dataset(), 2025, regime="pp719")["expiring"].to_dicts()
    assert (row["registry number"], row["valid until"], row["part"]) == ("R-1", D(2025, 6, 30), "CAR")
    assert row["points lost [points]"] == 250
    assert compliance_of(dataset(), 2024, regime="pp719")["expiring"].height == 0  # not within 2024


def test_matching_ranks_registered_candidates_first() -> None:
    from importsub.analysis.matching import matching

    f = frames()
    extra = {
        "organizations": pl.DataFrame(
            {"id": ["GB-A", "GB-B"], "name": ["near", "far"], "country": ["RU", "RU"], "kind": ["supplier"] * 2}
        ),
        "sites": pl.DataFrame(
            {"id": ["GBA", "GBB"], "organization": ["GB-A", "GB-B"], "name": ["near", "far"], "country": ["RU", "RU"],
             "lat": [53.6, 60.0], "lon": [49.5, 60.0]}
        ),
        "production": pl.DataFrame({"site": ["GBA", "GBB"], "part": ["GEARBOX", "GEARBOX"], "capacity": [1e4, 1e4]}),
        "registry_entries": pl.DataFrame({"number": ["R-9"], "product": ["Gearbox"], "organization": ["GB-B"],
                                          "tnved": ["8708"]}),
    }  # fmt: skip
    for name, df in extra.items():
        f[name] = pl.concat([f[name], df], how="diagonal_relaxed")
    cands = matching(compile(check(Dataset.from_frames("m", f)), year=2024))["candidates"]
    gear = cands.filter(pl.col("part") == "GEARBOX").sort("rank")
    assert gear["candidate site"].to_list() == ["GBB", "GBA"]  # registered first, though farther
    assert gear["registered"].to_list() == [True, False]
    # without the entry, the nearer one ranks first again
    f["registry_entries"] = f["registry_entries"].filter(pl.col("number") != "R-9")
    again = matching(compile(check(Dataset.from_frames("m", f)), year=2024))["candidates"]
    assert again.filter(pl.col("part") == "GEARBOX").sort("rank")["candidate site"].to_list() == ["GBA", "GBB"]


def test_by_year_gives_the_verdict_of_every_year_judged() -> None:
    years = compliance_of(dataset(), 2024, regime="pp719")["by year"]
    got = years.select("year", "rule", "score [points]", "threshold [points]", "pass").rows()
    # 2024: 850 ≥ 800; 2026: the engine's entry has run out (600) and the threshold rose to 1,500
    assert got == [(2024, "PP-2024", 850.0, 800.0, True), (2026, "PP-2024", 600.0, 1500.0, False)]
