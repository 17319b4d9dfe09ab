"""``importsub portfolio --require pp719:2026``: a budget buys statutory compliance, checked exactly afterwards."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import polars as pl
import pytest

from importsub.analysis import portfolio as pf
from importsub.analysis.compliance import compliance
from importsub.analysis.portfolio.requirement import Requirement
from importsub.compile import compile
from importsub.model.dataset import Dataset
from importsub.model.errors import AnalysisError, InfeasibleError
from importsub.model.validate import check
from test_compliance import frames


def programme() -> Dataset:
    """The compliance car, with two projects for its CN gearbox (100,000 RUB, 10 % of the car):

    * P-GBX (5 bn RUB): a registered RU gearbox plant — with the 2024 table's new gearbox item (700 points)
      the car reaches 850 + 700 = 1,550 ≥ 1,500 points in 2026;
    * P-ALT (1 bn RUB): an unregistered BY plant making the cylinder blocks the motor plant buys from CN (here
      80 % of blocks worth 150,000 RUB) — more domestic value added, no points.
    """
    f = frames()
    f["parts"] = f["parts"].with_columns(
        unit_value=pl.when(pl.col("id") == "BLOCK").then(150_000.0).otherwise("unit_value")
    )
    f["supply_links"] = f["supply_links"].with_columns(
        share=pl.when(pl.col("part") == "BLOCK")
        .then(pl.when(pl.col("supplier") == "BLK-RU").then(0.2).otherwise(0.8))
        .otherwise("share")
    )
    add = {
        "organizations": pl.DataFrame(
            {"id": ["GEAR-RU", "GEAR-BY"], "name": ["Gearbox RU", "Gearbox BY"], "country": ["RU", "BY"],
             "kind": ["supplier", "supplier"], "inn": [None, None], "ogrn": [None, None]}
        ),
        "sites": pl.DataFrame(
            {"id": ["GBX-RU", "GBX-BY"], "organization": ["GEAR-RU", "GEAR-BY"], "name": ["g ru", "g by"],
             "country": ["RU", "BY"], "lat": [55.0, 53.9], "lon": [49.0, 27.5]}
        ),
    }  # fmt: skip
    for name, df in add.items():
        f[name] = pl.concat([f[name], df], how="diagonal_relaxed")
    f["rule_items"] = pl.concat(
        [
            f["rule_items"],
            pl.DataFrame({"rule": ["PP-2024"], "item": ["gearbox"], "kind": ["component"], "code": ["8708"],
                          "points": [700.0], "min_share": [1.0], "per_step": [None], "required": [False]}),
        ],
        how="diagonal_relaxed",
    )  # fmt: skip
    f["registry_entries"] = pl.concat(
        [
            f["registry_entries"].with_columns(valid_until=pl.lit(date(2030, 12, 31))),
            pl.DataFrame({"number": ["R-3"], "product": ["Gearbox"], "organization": ["GEAR-RU"], "tnved": ["8708"]}),
        ],
        how="diagonal_relaxed",
    )
    f["projects"] = pl.DataFrame(
        {"id": ["P-GBX", "P-ALT"], "name": ["Gearbox RU", "Cylinder blocks BY"], "host_site": ["GBX-RU", "GBX-BY"],
         "capex": [5e9, 1e9]}
    )  # fmt: skip
    f["project_outputs"] = pl.DataFrame(
        {"project": ["P-GBX", "P-ALT"], "part": ["GEARBOX", "BLOCK"], "capacity": [1e4] * 2}
    )
    f["project_rampup"] = pl.DataFrame({"project": ["P-GBX", "P-ALT"], "year": [2024, 2024], "fraction": [1.0, 1.0]})
    f["project_substitutes"] = pl.DataFrame(
        {"project": ["P-GBX", "P-ALT"], "buyer": ["TLT", "ENG"], "part": ["GEARBOX", "BLOCK"],
         "supplier": ["GBX", "BLK-CN"]}
    )  # fmt: skip
    return check(Dataset.from_frames("programme", f))


def _solve(ds: Dataset, budget: float, require: str | None) -> tuple[list[str], dict[str, pl.DataFrame]]:
    model = pf.PortfolioModel.build(ds, year=2024, objective="localisation", require=require)
    result = pf.optimise(model, budget)
    return sorted(result["chosen"]["project"].to_list()), result.tables


def test_the_requirement_changes_what_the_budget_buys() -> None:
    ds = programme()
    chosen, _ = _solve(ds, 5.5e9, None)
    assert chosen == ["P-ALT"]  # more domestic value added for less
    chosen, tables = _solve(ds, 5.5e9, "pp719:2026:procurement")
    assert chosen == ["P-GBX"]
    (row,) = tables["requirement"].to_dicts()
    assert row["score without projects [points]"] == 850  # welding 400 + engine 250 + R&D 2 × 100
    assert row["score [points]"] == 1550  # + the registered gearbox, judged exactly with the project applied
    assert row["threshold [points]"] == 1500
    assert row["pass"] is True


def test_the_exact_check_agrees_with_the_compliance_analysis() -> None:
    ds = programme()
    _, tables = _solve(ds, 5.5e9, "pp719:2026:procurement")
    net = compile(ds, year=2024, projects=["P-GBX"])
    models = compliance({2026: net}, 2026, regime="pp719", purpose="procurement")["models"]
    assert models["score [points]"].to_list() == tables["requirement"]["score [points]"].to_list()


def test_a_budget_too_small_for_the_requirement_is_infeasible() -> None:
    with pytest.raises(InfeasibleError, match=r"cannot make every model meet pp719:2026"):
        _solve(programme(), 2e9, "pp719:2026")


def test_the_requirement_is_solved_by_the_mip_and_refused_by_the_decomposition() -> None:
    ds = programme()
    auto = pf.PortfolioModel.build(ds, year=2024, objective="localisation", require="pp719:2026", method="auto")
    assert auto.method == "mip"  # the statutory rows live in the MIP
    with pytest.raises(AnalysisError, match="--require needs --method mip"):
        pf.PortfolioModel.build(ds, year=2024, objective="localisation", require="pp719:2026", method="benders")
    plain = pf.PortfolioModel.build(ds, year=2024, objective="localisation", method="benders")
    assert plain.method == "benders"


def test_a_bad_requirement_is_refused() -> None:
    for text in ("pp719", "cis2009:2028", "pp719:twenty"):
        with pytest.raises(AnalysisError, match="REGIME:YEAR"):
            Requirement.parse(text)
    assert Requirement.parse("pp719:2028:procurement") == Requirement("pp719", 2028, "procurement")


def test_cli_require(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from importsub.cli.common import run
    from importsub.cli.main import app
    from importsub.store import Store

    db = str(tmp_path / "s.sqlite")
    Store(db).write_dataset(programme())
    args = ["portfolio", "--db", db, "-d", "programme", "--budget", "5.5e9", "--objective", "localisation"]
    code = run(app, [*args, "--require", "pp719:2026:procurement", "-f", "json"])
    out = capsys.readouterr().out
    assert code == 0
    doc = json.loads(out)
    assert [r["project"] for r in doc["tables"]["chosen"]] == ["P-GBX"]
    assert doc["fingerprint"]["requirement"] == "pp719:2026:procurement"
