"""The demo tells the programme's story (issue 17): checked by properties of its data, not by figures.

* every public project, once ramped up, reduces the loss of at least one named scenario (the braking
  project, which has no host site announced, at a candidate site the user picks);
* strictly: there is one named scenario S whose loss every project alone reduces (loss(S with P) <
  loss(S without P) for every P), computed through the project impact analysis and confirmed by a
  scenario that declares the project and by the portfolio MIP (a second, one-window formulation);
* the loss objective funds a non-empty portfolio below the projects' total capex, and the frontier
  falls in loss (rises in loss avoided) with the budget, as brute force over the options confirms;
* ``importsub demo`` prints the programme ("4 of 14 public") and one line per named scenario.
"""

from __future__ import annotations

import itertools
import json
from pathlib import Path

import polars as pl
import pytest

from importsub import demo, units
from importsub.analysis import portfolio as pf
from importsub.analysis.projects import at_site, impact, named_shocks, rampup_fraction, scenario_loss
from importsub.analysis.result import Result
from importsub.cli.common import run
from importsub.cli.main import app
from importsub.model.dataset import Dataset
from importsub.model.errors import NotFoundError

BRAKES = "P-BRAKES"
CANDIDATE_SITES = ("BRAKE-BY-3", "KOSTROMA-ABS")  # a Belarusian brake maker, the Russian ABS plant


def _ramped_up_year() -> int:
    """The last year with demand: every project is at full ramp-up there (checked)."""
    ds = demo.load()
    year = int(ds.demand.get_column("year").max())  # type: ignore[arg-type]
    assert set(rampup_fraction(ds, year).values()) == {1.0}
    return year


def _reduces(shocks: pl.DataFrame) -> list[str]:
    """Scenarios whose lost margin the project reduces (beyond solver noise: 1e-9 of the loss, at least 1 RUB)."""
    before, avoided = pl.col("lost margin before [RUB]"), pl.col("loss avoided [RUB]")
    return shocks.filter(avoided > pl.max_horizontal(pl.lit(1.0), 1e-9 * before)).get_column("scenario").to_list()


def test_named_scenarios_ask_the_programmes_questions() -> None:
    ds = demo.load()
    shocks = named_shocks(ds)
    described = dict(ds.scenarios.select("name", "description").iter_rows())
    assert all(described[s] and len(described[s].split()) >= 5 for s in shocks), "each says what it represents"
    targets = ds.disruptions.filter(pl.col("scenario").is_in(shocks))
    country = dict(ds.organizations.select("id", "country").iter_rows())
    country.update(dict(ds.sites.select("id", "country").iter_rows()))
    union = set(ds.country_groups.filter(pl.col("group") == "union").get_column("iso2").to_list())

    def countries(s: str, kind: str) -> set[str]:
        t = targets.filter(pl.col("scenario") == s)
        return {country[x] for x in t["target"]} if t.height and (t["target_kind"] == kind).all() else set()

    # an exit of EU brake and bearing makers, a China shock on chosen goods, a fire at one domestic site
    eu = {"DE", "SE", "IT", "CZ", "PL"}
    exits = [s for s in shocks if countries(s, "organization") and countries(s, "organization") <= eu]
    china = [s for s in shocks if countries(s, "organization") == {"CN"}]
    fires = [
        s for s in shocks if len(c := countries(s, "site")) == 1 and c <= union and targets["scenario"].eq(s).sum() == 1
    ]
    assert exits, "an exit of EU brake and bearing makers"
    assert china, "a China shock on chosen goods"
    assert fires, "a single-site fire at a domestic site"


Impacts = dict[tuple[str, str | None], Result]  # (project, candidate site) -> its impact alone
PROJECTS = ("P-LED-RUDENSK", "P-PLASTICS-TLT", "P-RINGS-ORSHA", BRAKES)


def _cases() -> list[tuple[str, str | None]]:
    """Every project alone, the braking project once at each candidate site."""
    return [(p, None) for p in PROJECTS if p != BRAKES] + [(BRAKES, site) for site in CANDIDATE_SITES]


def _dataset(project: str, site: str | None) -> Dataset:
    ds = demo.load()
    return at_site(ds, project, site) if site else ds


@pytest.fixture(scope="module")
def impacts() -> Impacts:
    """The project impact of each case alone in the ramped-up year, over every named shock (computed once)."""
    year = _ramped_up_year()
    return {(p, site): impact(_dataset(p, site), [p], [year], include_all=False) for p, site in _cases()}


@pytest.mark.parametrize("project", PROJECTS)
def test_each_project_ramped_up_reduces_a_named_scenarios_loss(project: str, impacts: Impacts) -> None:
    ds = demo.load()
    year = _ramped_up_year()
    if project == BRAKES:
        # no host site announced: it adds nothing, and no loss moves
        plain = impact(ds, [BRAKES], [year], include_all=False)
        assert plain["summary"].get_column("capacity added [units/yr]").item() == 0.0
        assert _reduces(plain["shocks"]) == []
    results = [r for (p, _), r in impacts.items() if p == project]
    assert results
    for r in results:
        assert r["summary"].get_column("capacity added [units/yr]").item() > 0
        reduced = _reduces(r["shocks"])
        assert set(reduced) <= set(named_shocks(ds))
        assert reduced, f"{project} reduces no named scenario's loss in {year}"
        # the take-over replaces imports: some imported link of the project loses share
        t = r["takeovers"]
        assert (t["share after [fraction]"] < t["share before [fraction]"]).any()


def _programme_scenarios(impacts: Impacts) -> list[str]:
    """Named scenarios whose loss every case (each project alone, ramped up) reduces."""
    common = set(named_shocks(demo.load()))
    for r in impacts.values():
        common &= set(_reduces(r["shocks"]))
    return sorted(common)


def test_one_named_scenario_whose_loss_every_project_reduces(impacts: Impacts) -> None:
    """∃ S named: ∀ P (braking at each candidate site), loss(S with P) < loss(S without P)."""
    ds = demo.load()
    common = _programme_scenarios(impacts)
    assert common, "no named scenario whose loss each project alone reduces"
    subs = ds.project_substitutes
    site_org = dict(ds.sites.select("id", "organization").iter_rows())
    for s in common:
        # the shock cuts off imports that each project exists to replace
        hit = set(ds.disruptions.filter(pl.col("scenario") == s).get_column("target").to_list())
        for p in PROJECTS:
            replaced = {site_org[x] for x in subs.filter(pl.col("project") == p).get_column("supplier").to_list()}
            assert replaced & hit, f"{s} cuts off none of the imports {p} replaces"
        for r in impacts.values():
            row = r["shocks"].filter(pl.col("scenario") == s)
            after, before = row["lost margin after [RUB]"].item(), row["lost margin before [RUB]"].item()
            assert 0.0 <= after < before
            assert row["loss avoided [RUB]"].item() == pytest.approx(before - after)


def _declaring(ds: Dataset, scenario: str, project: str, year: int) -> tuple[Dataset, str]:
    """A copy of ``scenario`` in ``year`` that declares ``project`` (the compile route, not the impact one)."""
    name = f"{scenario} with {project}"
    sc = ds.scenarios.filter(pl.col("name") == scenario).with_columns(
        pl.lit(name).alias("name"), pl.lit(year, dtype=ds.scenarios.schema["year"]).alias("year")
    )
    dis = ds.disruptions.filter(pl.col("scenario") == scenario).with_columns(pl.lit(name).alias("scenario"))
    sp = pl.DataFrame({"scenario": [name], "project": [project]}, schema=ds.scenario_projects.schema)
    frames = {
        "scenarios": pl.concat([ds.scenarios, sc]),
        "disruptions": pl.concat([ds.disruptions, dis]),
        "scenario_projects": pl.concat([ds.scenario_projects, sp]),
    }
    return ds.replace(**frames), name


@pytest.mark.parametrize(("project", "site"), _cases())
def test_the_programme_scenario_is_confirmed_by_two_other_routes(
    project: str, site: str | None, impacts: Impacts
) -> None:
    year = _ramped_up_year()
    ds = _dataset(project, site)
    shocks = impacts[(project, site)]["shocks"]
    common = _programme_scenarios(impacts)
    assert common
    for s in common:
        row = shocks.filter(pl.col("scenario") == s)
        # a scenario that declares the project, compiled and solved as any scenario is: the same loss
        declared, name = _declaring(ds, s, project, year)
        assert scenario_loss(declared, name, year)[0] == pytest.approx(row["lost margin after [RUB]"].item(), rel=1e-9)
        assert scenario_loss(ds, s, year)[0] == pytest.approx(row["lost margin before [RUB]"].item(), rel=1e-9)
        # the portfolio MIP (one window, the project coupled in by a binary) sees a reduction too
        model = pf.PortfolioModel.build(ds, scenarios=[s], year=year, projects=[project], objective="loss")
        level_1 = [i for i, o in enumerate(model.options) if o.level == 1.0]
        assert len(level_1) == 1
        without, with_p = model.evaluate([]).losses[s], model.evaluate(level_1).losses[s]
        assert with_p < without - max(1.0, 1e-9 * without), f"the MIP sees no reduction of {s} by {project}"


def test_a_candidate_site_is_a_what_if_that_leaves_the_data_alone() -> None:
    ds = demo.load()
    what_if = at_site(ds, BRAKES, "BRAKE-BY-3")
    assert ds.projects.filter(pl.col("id") == BRAKES)["host_site"].item() is None
    assert what_if.projects.filter(pl.col("id") == BRAKES)["host_site"].item() == "BRAKE-BY-3"
    assert what_if.fingerprint() != ds.fingerprint()
    assert what_if.equals(ds) is False
    with pytest.raises(NotFoundError, match="NOWHERE"):
        at_site(ds, BRAKES, "NOWHERE")
    with pytest.raises(NotFoundError, match="P-NONE"):
        at_site(ds, "P-NONE", "BRAKE-BY-3")


@pytest.fixture(scope="module")
def loss_model() -> pf.PortfolioModel:
    return pf.PortfolioModel.build(demo.load(), objective="loss")


def test_the_loss_objective_funds_projects_below_the_total_capex(loss_model: pf.PortfolioModel) -> None:
    ds = demo.load()
    total = float(ds.projects.get_column("capex").sum())
    budget = float(ds.projects.get_column("capex").max())  # the dearest single project
    assert budget < total
    chosen = loss_model.solve(budget)
    assert chosen.chosen, "the loss objective funds nothing"
    assert chosen.capex <= budget
    assert chosen.expected_loss < loss_model.evaluate([]).expected_loss


def test_the_frontier_rises_with_the_budget_and_brute_force_agrees(loss_model: pf.PortfolioModel) -> None:
    ds = demo.load()
    total = float(ds.projects.get_column("capex").sum())
    budgets = pf.sweep_budgets(loss_model, total, 5)
    front = pf.frontier(loss_model, budgets)["frontier"]
    loss = front.get_column("expected loss [RUB]").to_list()
    assert all(b <= a + 1e-6 * max(1.0, a) for a, b in itertools.pairwise(loss)), "never worse with more money"
    assert loss[-1] < loss[0], "strictly better somewhere"
    # independent check: the best set within each budget by brute force over the options
    opts = loss_model.options
    sets = [
        s
        for r in range(len(opts) + 1)
        for s in itertools.combinations(range(len(opts)), r)
        if len({opts[i].project for i in s}) == len(s)
    ]
    for budget, mip in zip(budgets, loss, strict=True):
        fits = [s for s in sets if sum(opts[i].capex for i in s) <= budget * (1 + 1e-9)]
        best = min(loss_model.evaluate(s).expected_loss for s in fits)
        assert mip == pytest.approx(best, rel=1e-6, abs=1.0)


def test_humanised_roubles() -> None:
    # the one money humaniser (importsub.units.money): three significant figures once scaled
    def plain(v: float) -> str:
        return units.money(v).replace("\xa0", " ").replace("\u202f", " ")

    assert plain(5_480_000_000.0) == "5.48 bn RUB"
    assert plain(46_042_714_154.0) == "46.0 bn RUB"
    assert plain(221_883_692.0) == "222 mn RUB"
    assert plain(12_500.0) == "12,500 RUB"
    assert plain(0.0) == "0 RUB"


@pytest.fixture(scope="module")
def store_db(tmp_path_factory: pytest.TempPathFactory) -> str:
    return str(tmp_path_factory.mktemp("story") / "s.sqlite")


def _call(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = run(app, list(args))
    cap = capsys.readouterr()
    return code, cap.out, cap.err


def test_demo_prints_the_programme_and_named_scenarios(store_db: str, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = _call(capsys, "demo", "--db", store_db, "-f", "json")
    assert code == 0, err
    tables = json.loads(out)["tables"]
    ds = demo.load()
    programme = tables["programme: 4 of 14 public"]
    assert {r["project"] for r in programme} == set(ds.projects["id"])
    rows = {r["project"]: r for r in programme}
    assert rows[BRAKES]["host site"] == "none announced"
    assert all(r["status"] and any(k.startswith("online ") and k.endswith("[units/yr]") for k in r) for r in programme)
    lines = tables["named scenarios"]
    assert [r["scenario"] for r in lines] == named_shocks(ds)
    # the loss once, as a figure: no text column repeating it beside the scaled terminal column
    assert all(set(r) == {"scenario", "year", "performance impact [RUB]"} for r in lines)
    assert any(r["performance impact [RUB]"] >= 1e9 for r in lines)
    # the terminal shows the same, money scaled in the header
    code, out, err = _call(capsys, "demo", "--db", store_db)
    assert code == 0, err
    assert "[bn RUB]" in out
    assert "programme: 4 of 14 public" in out
    assert "none announced" in out


def test_the_cli_funds_a_portfolio_and_shows_a_candidate_site(
    store_db: str, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    if not Path(store_db).exists():
        assert _call(capsys, "demo", "--db", store_db)[0] == 0
    ds = demo.load()
    budget = float(ds.projects.get_column("capex").max())
    code, out, err = _call(
        capsys, "portfolio", "--db", store_db, "--budget", f"{budget:g}", "--objective", "loss", "-f", "json"
    )
    assert code == 0, err
    doc = json.loads(out)
    assert doc["tables"]["chosen"], "funds at least one project"
    assert budget < float(ds.projects.get_column("capex").sum())
    year = str(_ramped_up_year())
    args = ("projects", "impact", "--db", store_db, "-p", BRAKES, "-y", year, "-f", "json", "-t", "shocks")
    code, out, err = _call(capsys, *args, "--site", "BRAKE-BY-3")
    assert code == 0, err
    doc = json.loads(out)
    assert doc["fingerprint"]["candidate site"] == "BRAKE-BY-3"
    assert _reduces(pl.DataFrame(doc["tables"]["shocks"]))
    code, _, err = _call(capsys, "projects", "impact", "--db", store_db, "--site", "BRAKE-BY-3", "-y", year)
    assert code == 1
    assert "--site needs exactly one --project" in err
    code, _, err = _call(capsys, *args, "--site", "NOWHERE")
    assert code == 1
    assert "NOWHERE" in err


def test_the_web_project_analysis_takes_a_candidate_site() -> None:
    from importsub.web.services.catalogue import build_analyses

    ds = demo.load()
    spec = build_analyses()["project"]
    year = _ramped_up_year()
    plain = spec.run(ds, spec.params(project=BRAKES, year=year), lambda done, message=None: None)
    hosted = spec.run(ds, spec.params(project=BRAKES, year=year, site="BRAKE-BY-3"), lambda done, message=None: None)
    assert plain.tables["capacity"].get_column("capacity added [units/yr]").sum() == 0.0
    assert hosted.tables["capacity"].get_column("capacity added [units/yr]").sum() > 0.0
    assert hosted.fingerprint["candidate site"] == "BRAKE-BY-3"
    assert "candidate site" not in plain.fingerprint
    assert _reduces(hosted.tables["shocks"])
