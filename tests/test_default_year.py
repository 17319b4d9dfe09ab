"""One default year (issue 9, item 8): the latest year with demand not after the current
calendar year, else the earliest; the CLI, the demo headline, the web and projects agree."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import polars as pl
import pytest

from importsub.analysis import demo_headline
from importsub.analysis.projects import resolve_year
from importsub.cli.common import run
from importsub.cli.data import summary_tables
from importsub.cli.main import app
from importsub.compile import YEAR_RULE, compile, default_year
from importsub.model.dataset import Dataset
from importsub.store import Store
from importsub.web.services.views import overview
from test_compile import three_tier

NOW = date.today().year


def spread(years: list[int]) -> Dataset:
    """The three-tier network with car demand in ``years`` (1,000 cars each)."""
    return three_tier(
        demand=pl.DataFrame(
            {"site": ["VAZ"] * len(years), "part": ["CAR"] * len(years), "year": years, "units": [1_000.0] * len(years)}
        ),
        scenarios=pl.DataFrame({"name": ["plain"], "year": [None]}, schema_overrides={"year": pl.Int64}),
        demand_changes=pl.DataFrame({"scenario": ["plain"], "site": ["VAZ"], "part": ["CAR"], "factor": [1.0]}),
    )


def test_the_rule() -> None:
    ds = spread([NOW - 2, NOW, NOW + 3])
    assert default_year(ds) == NOW
    assert default_year(ds, today=date(NOW + 5, 1, 1)) == NOW + 3  # latest not after that year
    assert default_year(ds, today=date(NOW - 1, 6, 1)) == NOW - 2
    assert default_year(ds, today=date(NOW - 10, 6, 1)) == NOW - 2  # all in the future: the earliest
    assert default_year(spread([NOW + 1, NOW + 4])) == NOW + 1
    assert default_year(Dataset.empty("none")) is None
    net = compile(ds)
    assert net.year == NOW
    assert net.fingerprint["year"] == NOW
    assert net.fingerprint["year rule"] == YEAR_RULE
    # a scenario without a year takes the same default
    assert compile(ds, "plain").year == NOW


def test_cli_headline_web_and_projects_agree(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    ds = spread([NOW - 1, NOW, NOW + 2])
    db = str(tmp_path / "s.sqlite")
    Store(db).write_dataset(ds)
    for analysis in ("localisation", "concentration", "balance", "matching"):
        code = run(app, ["analyze", analysis, "--db", db, "-d", ds.name, "-f", "json"])
        out = capsys.readouterr().out
        assert code == 0, analysis
        fp = json.loads(out)["fingerprint"]
        assert fp["year"] == NOW, analysis
        assert fp["year rule"] == YEAR_RULE, analysis
    titles = list(demo_headline(ds))
    assert all(f", {NOW}" in t for t in titles), titles
    assert f"vehicles per OEM, {NOW}" in summary_tables(ds)
    assert overview(ds)["year"] == NOW
    assert resolve_year(ds, None, None) == NOW
    assert resolve_year(ds, "plain", None) == NOW


def test_demo_default_is_not_a_plan_year() -> None:
    from importsub import demo

    ds = demo.load()
    years = sorted(set(ds.demand["year"].to_list()))
    expected = max([y for y in years if y <= NOW], default=years[0])
    assert compile(ds).year == expected == default_year(ds)
    assert all(f", {expected}" in t for t in demo_headline(ds))
