"""Projects, programme and portfolio as background jobs, with what their results reveal.

Thin wrappers of :mod:`importsub.analysis.programme` (project card,
programme summary), :mod:`importsub.analysis.projects` (impact of projects
year by year) and :mod:`importsub.analysis.portfolio` (MIP under a budget,
the budget → objective frontier, greedy comparison), called as the CLI
calls them.

Project records (status, milestones, capex, target capacity, ramp-up) are
the programme's public data.  What the results add and who may see it:

* shares of the substitutable links and the volumes a project takes over
  belong to the buyer of each link (per link: masked by owner; per project
  or part: shown when at least two other organisations buy there);
* the balance of a part (capacity, gap, export surplus) sums the group's
  producers of it, as in the balance analysis;
* losses under shocks and everything derived from them (loss avoided,
  capex per rouble avoided, the portfolio's expected loss and objective)
  sum over every OEM: shown when at least two OEMs other than the viewer's
  contribute (:func:`importsub.web.confidentiality.aggregate_shown`);
* import content before/after of a vehicle, OEM or category is shown to
  everyone, like the localisation analysis.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

import polars as pl
from pydantic import BaseModel, field_validator

from importsub.analysis import portfolio as pf
from importsub.analysis.programme import programme_summary, project_card
from importsub.analysis.projects import at_site, impact
from importsub.model.dataset import Dataset
from importsub.model.errors import AnalysisError
from importsub.web.i18n import N_
from importsub.web.services.analyses import GROUP_HELP, Analyses, AnalysisSpec, NoParams, ProgressFn, ResultTables
from importsub.web.services.params import param

Objective = Literal["loss", "localisation", "mix"]


def _today() -> dt.date:
    return dt.date.today()


# ====================================================================== parameters


OBJECTIVE_LABELS = {
    "loss": N_("Least expected loss under the shocks"),
    "localisation": N_("Most domestic value added"),
    "mix": N_("Both, weighted"),
}
SITE_HELP = N_("What-if: host the project at this site (e.g. a candidate site of a project with none announced)")


class ProgrammeParams(NoParams):
    as_of: dt.date = param(label=N_("Status date"), help=N_("Default: today"), default_factory=_today)
    year: int | None = param(None, label=N_("Year of the capacity plan"), unit="year", widget="year", ge=1900, le=2200)


class ProjectParams(NoParams):
    project: str = param(label=N_("Project"), widget="project", min_length=1, max_length=200)
    year: int | None = param(
        None,
        label=N_("Year of the impact"),
        help=N_("Default: the latest year with demand not after the current year"),
        unit="year",
        widget="year",
        ge=1900,
        le=2200,
    )
    group: str = param("union", label=N_("Domestic group"), help=GROUP_HELP, min_length=1, max_length=100)
    as_of: dt.date = param(label=N_("Milestone status date"), help=N_("Default: today"), default_factory=_today)
    site: str | None = param(None, label=N_("What-if host site"), help=SITE_HELP, min_length=1, max_length=200)


class ImpactParams(NoParams):
    project: str | None = param(
        None,
        label=N_("Project"),
        help=N_("Only this project (default: every project)"),
        widget="project",
        min_length=1,
        max_length=200,
    )
    year: int | None = param(
        None,
        label=N_("Year"),
        help=N_("Only this year (default: every year from the first ramp-up)"),
        unit="year",
        widget="year",
        ge=1900,
        le=2200,
    )
    group: str = param("union", label=N_("Domestic group"), help=GROUP_HELP, min_length=1, max_length=100)
    site: str | None = param(
        None,
        label=N_("What-if host site"),
        help=N_("What-if: host the chosen project at this site (needs a project)"),
        min_length=1,
        max_length=200,
    )


class PortfolioParams(NoParams):
    budget: float = param(label=N_("Capex budget"), unit="RUB", gt=0, le=1e16, allow_inf_nan=False)
    objective: Objective = param("loss", label=N_("Objective"), choices=OBJECTIVE_LABELS)
    scenarios: list[str] | None = param(
        None,
        label=N_("Scenarios of the set"),
        help=N_("Default: the named shocks"),
        widget="scenarios",
        max_length=100,
    )
    year: int | None = param(
        None, label=N_("Year of the projects' ramp-up"), unit="year", widget="year", ge=1900, le=2200
    )
    group: str = param("union", label=N_("Domestic group"), help=GROUP_HELP, min_length=1, max_length=100)
    mix_weight: float = param(
        1.0,
        label=N_("Mix weight"),
        help=N_("Objective mix: roubles of expected loss worth 1 RUB/yr of domestic value added"),
        unit="RUB per RUB/yr",
        ge=0,
        le=1e6,
    )
    sweep: bool = param(True, label=N_("Budget sweep"), help=N_("Budget sweep from 0 to the budget: the frontier"))
    steps: int = param(6, label=N_("Budget points of the sweep"), unit="count", ge=2, le=21)
    require: str | None = param(
        None,
        label=N_("Statutory requirement"),
        help=N_("REGIME:YEAR[:PURPOSE]: every model meets its statutory threshold that year (e.g. pp719:2028)"),
        max_length=100,
        pattern=r"^[a-z0-9]+:[0-9]{4}(:[^:]+)?$",
    )

    @field_validator("scenarios", mode="before")
    @classmethod
    def _split(cls, value: Any) -> Any:
        """A form sends one text field: names separated by commas."""
        if isinstance(value, str):
            value = [value]
        if isinstance(value, list):
            names = [n.strip() for v in value for n in (v.split(",") if isinstance(v, str) else [v])]
            value = [n for n in names if not (isinstance(n, str) and not n)] or None
        return value


# ====================================================================== runners


def run_programme(ds: Dataset, params: BaseModel, progress: ProgressFn) -> Any:
    """Projects per status (n of the programme public), readiness, milestones, capacity online vs plan, capex."""
    assert isinstance(params, ProgrammeParams)
    return programme_summary(ds, params.as_of, params.year)  # size: the dataset's programme record


def _default_year(ds: Dataset) -> int | None:
    from importsub.compile import default_year

    return default_year(ds)


def run_project(ds: Dataset, params: BaseModel, progress: ProgressFn) -> ResultTables:
    """One project: its card and its impact in one year (import content before/after by OEM, shocks, balance)."""
    assert isinstance(params, ProjectParams)
    if params.site is not None:
        ds = at_site(ds, params.project, params.site)
    card = project_card(ds, params.project, params.as_of)
    progress(0.2, None)
    year = params.year if params.year is not None else _default_year(ds)
    imp = impact(ds, [params.project], None if year is None else [year], group=params.group, include_all=False)
    tables = dict(card.tables)
    # the planned capacity of a project is public programme data (not a producer's confidential capacity)
    tables["ramp-up"] = tables["ramp-up"].rename({"capacity [units/yr]": "planned capacity [units/yr]"}, strict=False)
    tables["impact"] = imp["summary"]
    for name in ("oems", "vehicles", "categories", "balance", "shocks", "capacity", "takeovers"):
        if name in imp.tables:
            tables[name] = imp[name]
    fp = {**card.fingerprint, **{k: v for k, v in imp.fingerprint.items() if k not in card.fingerprint}}
    if params.site is not None:
        fp["candidate site"] = params.site
    return ResultTables("project", tables, fp)


def run_impact(ds: Dataset, params: BaseModel, progress: ProgressFn) -> Any:
    """Every project (or one) alone and all together, year by year, against no project."""
    assert isinstance(params, ImpactParams)
    if params.site is not None:
        if params.project is None:
            raise AnalysisError("a candidate site needs a project: the project to host there")
        ds = at_site(ds, params.project, params.site)
    return impact(
        ds,
        None if params.project is None else [params.project],
        None if params.year is None else [params.year],
        group=params.group,
    )


def run_portfolio(ds: Dataset, params: BaseModel, progress: ProgressFn) -> Any:
    """The projects to fund under the budget (HiGHS MIP), greedy compared; with the sweep, the frontier."""
    assert isinstance(params, PortfolioParams)
    model = pf.PortfolioModel.build(
        ds,
        scenarios=params.scenarios,
        year=params.year,
        objective=params.objective,
        group=params.group,
        mix_weight=params.mix_weight,
        require=params.require,
    )
    progress(0.2, None)
    if not params.sweep:
        return pf.optimise(model, params.budget)
    budgets = pf.sweep_budgets(model, params.budget, params.steps)
    done = [0]

    def point() -> None:
        done[0] += 1
        progress(0.2 + 0.8 * done[0] / len(budgets), f"{done[0]}/{len(budgets)}")

    return pf.frontier(model, budgets, on_point=point)


def register_all(analyses: Analyses) -> None:
    """Register ``programme``, ``project``, ``impact`` and ``portfolio`` (called by :func:`importsub.web.services.catalogue.build_analyses`)."""
    analyses.register(
        AnalysisSpec(
            "programme",
            N_("Programme status"),
            ProgrammeParams,
            run_programme,
            charts={"status": ("status", "projects"), "readiness": None, "milestones": ("state", "milestones")},
        )
    )
    analyses.register(
        AnalysisSpec(
            "project",
            N_("Project: card and impact"),
            ProjectParams,
            run_project,
            charts={"project": None, "partners": None, "oems": ("organization", "change [pp]"), "vehicles": None},
        )
    )
    analyses.register(
        AnalysisSpec(
            "impact",
            N_("Impact of projects, year by year"),
            ImpactParams,
            run_impact,
            charts={"summary": ("project", "Δ import content [pp]")},
        )
    )
    analyses.register(
        AnalysisSpec(
            "portfolio",
            N_("Portfolio under a budget"),
            PortfolioParams,
            run_portfolio,
            charts={"frontier": None, "summary": None, "notes": None, "chosen": None},
        )
    )


# words that pages translate from data (project statuses are in templating)
_DATA_WORDS = (
    N_("done on time"),
    N_("done late"),
    N_("overdue"),
    N_("open"),
    N_("not public"),
    N_("programme"),
    N_("MIP only"),
    N_("greedy only"),
)


def rampup_chart(curve: pl.DataFrame) -> dict[str, Any]:
    """Line chart data of a project's ramp-up: capacity [units/yr] per output part over the years."""
    if curve.height == 0:
        return {"labels": [], "series": []}
    years = sorted(set(curve["year"].to_list()))
    series = []
    for part in sorted(set(curve["part"].to_list())):
        col = "capacity [units/yr]" if "capacity [units/yr]" in curve.columns else "planned capacity [units/yr]"
        rows = dict(curve.filter(pl.col("part") == part).select("year", col).iter_rows())
        series.append({"name": part, "values": [rows.get(y) for y in years]})
    return {"labels": [str(y) for y in years], "series": series}
