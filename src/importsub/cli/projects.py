"""``importsub projects list|show|impact``, ``importsub portfolio`` and ``importsub programme``.

Thin: read the dataset from the store, call :mod:`importsub.analysis.projects`,
:mod:`importsub.analysis.programme` or :mod:`importsub.analysis.portfolio`,
emit the tables.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

import typer

from importsub.analysis.result import Result
from importsub.cli.common import (
    DEFAULT_DATASET,
    DatasetOption,
    DbOption,
    FormatOption,
    GroupOption,
    OutOption,
    TableOption,
    VersionOption,
    WideOption,
    command_group,
    emit_result,
    open_store,
    progress,
    status,
)
from importsub.model.dataset import Dataset
from importsub.model.errors import ImportsubError

YearOption = Annotated[
    int | None, typer.Option("--year", "-y", help="Year of ramp-up and demand (default: see each command).")
]
SiteOption = Annotated[
    str | None,
    typer.Option(
        "--site",
        help="What-if: host the project at this site (e.g. a candidate site of a project with none announced); "
        "nothing stored changes.",
        show_default=False,
    ),
]
AsOfOption = Annotated[
    str | None, typer.Option("--as-of", help="Date of the status (YYYY-MM-DD; default: today).", show_default=False)
]

# tables shown in the terminal when none is chosen
SUMMARY_TABLES = {
    "projects": ("projects",),
    "project": ("project", "partners", "outputs", "ramp-up", "milestones", "substitutes", "oems", "history"),
    "project impact": ("summary", "shocks"),
    "programme": ("status", "readiness", "milestones", "capacity", "capex", "history"),
    "portfolio": (
        "frontier",
        "chosen",
        "summary",
        "requirement",
        "options",
        "differences",
        "scenarios",
        "solve",
        "notes",
    ),
}


def _date(text: str | None) -> dt.date | None:
    if text is None:
        return None
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise ImportsubError(f"--as-of {text!r} is not a date (YYYY-MM-DD)") from None


def _read(db: str | None, dataset: str, version: int | None) -> tuple[Any, Dataset]:
    store = open_store(db)
    with status(f"reading {dataset} from the store"):
        ds = store.read_dataset(dataset, version)
    return store, ds


def _history(store: Any, dataset: str, project: str | None, last: int) -> Any:
    from importsub.analysis.programme import history

    return history(
        store.versions(dataset),
        lambda a, b: store.diff(dataset, a, b),
        project=project,
        last=last,
    )


app = command_group()
"""``programme`` and ``portfolio``: top-level commands."""


projects = command_group(
    help="Joint import-substitution projects: list, one project's card, impact year by year.",
    no_args_is_help=True,
)


@projects.command("list")
def list_(
    db: DbOption = None,
    dataset: DatasetOption = DEFAULT_DATASET,
    version: VersionOption = None,
    as_of: AsOfOption = None,
    year: YearOption = None,
    fmt: FormatOption = "table",
    out: OutOption = None,
    table: TableOption = None,
    wide: WideOption = False,
) -> None:
    """Every project: status, MRL, host site, partners, capex, milestones, capacity plan and online."""
    from importsub.analysis.programme import project_list

    _, ds = _read(db, dataset, version)
    listing = project_list(ds, _date(as_of), year)
    emit_result(listing, fmt, out, table, SUMMARY_TABLES.get(listing.name), wide=wide)


@projects.command()
def show(
    project: Annotated[str, typer.Argument(help="Project id, e.g. P-LED-RUDENSK.")],
    db: DbOption = None,
    dataset: DatasetOption = DEFAULT_DATASET,
    version: VersionOption = None,
    as_of: AsOfOption = None,
    year: YearOption = None,
    group: GroupOption = "union",
    site: SiteOption = None,
    fmt: FormatOption = "table",
    out: OutOption = None,
    table: TableOption = None,
    wide: WideOption = False,
) -> None:
    """One project: record, partners, outputs, ramp-up curve, milestones, substitutable links,
    import content by OEM before/after (in --year, default: the latest year with demand not after the current year) and editing history.
    --site shows what the project would do at a site of your choosing."""
    from importsub.analysis.programme import project_card
    from importsub.analysis.projects import at_site, impact

    store, ds = _read(db, dataset, version)
    if site is not None:
        ds = at_site(ds, project, site)
    hist = _history(store, dataset, project, 20) if version is None else None
    card = project_card(ds, project, _date(as_of), history=hist)
    with status("impact before/after"):
        years = None if year is None else [year]
        if years is None:
            from importsub.compile import default_year

            default = default_year(ds)
            years = [default] if default is not None else None
        imp = impact(ds, [project], years, group=group, include_all=False)
    tables = dict(card.tables)
    tables["impact"] = imp["summary"]
    tables["oems"] = imp["oems"].drop("project")
    tables["vehicles"] = imp["vehicles"].drop("project")
    tables["balance"] = imp["balance"].drop("project")
    tables["shocks"] = imp["shocks"]
    if "history" in tables:
        tables["history"] = tables.pop("history")
    fp = {**card.fingerprint, **{k: v for k, v in imp.fingerprint.items() if k not in card.fingerprint}}
    if site is not None:
        fp["candidate site"] = site
    emit_result(Result("project", tables, fp), fmt, out, table, SUMMARY_TABLES.get("project"), wide=wide)


@projects.command("impact")
def impact_(
    db: DbOption = None,
    dataset: DatasetOption = DEFAULT_DATASET,
    version: VersionOption = None,
    year: Annotated[
        list[int] | None,
        typer.Option("--year", "-y", help="Year (repeatable); default: every year with demand from the first ramp-up."),
    ] = None,
    project: Annotated[
        list[str] | None, typer.Option("--project", "-p", help="Only these projects (repeatable).")
    ] = None,
    group: GroupOption = "union",
    vehicle: Annotated[
        list[str] | None, typer.Option("--vehicle", help="Vehicle models of the headline figure (repeatable).")
    ] = None,
    scenario: Annotated[
        list[str] | None,
        typer.Option("--scenario", "-s", help="Shock scenarios (repeatable); default: the dataset's named shocks."),
    ] = None,
    site: SiteOption = None,
    fmt: FormatOption = "table",
    out: OutOption = None,
    table: TableOption = None,
    wide: WideOption = False,
) -> None:
    """Each project alone (and all together) against no project, year by year: import content by vehicle,
    OEM and category, balance and export surplus, shock losses, capex per pp and per rouble of loss avoided.
    --site (with one --project) hosts that project at a site of your choosing."""
    from importsub.analysis.projects import at_site, impact

    _, ds = _read(db, dataset, version)
    if site is not None:
        if not project or len(project) != 1:
            raise ImportsubError("--site needs exactly one --project: the project to host at that site")
        ds = at_site(ds, project[0], site)
    with status("applying projects year by year"):
        result = impact(ds, project or None, year or None, group=group, vehicles=vehicle or None, scenarios=scenario)
    if site is not None:
        result = Result(result.name, result.tables, {**result.fingerprint, "candidate site": site})
    emit_result(result, fmt, out, table, SUMMARY_TABLES.get(result.name), wide=wide)


@app.command()
def programme(
    db: DbOption = None,
    dataset: DatasetOption = DEFAULT_DATASET,
    version: VersionOption = None,
    as_of: AsOfOption = None,
    year: Annotated[
        int | None, typer.Option("--year", "-y", help="Year of the capacity plan (default: the as-of year).")
    ] = None,
    size: Annotated[
        int | None,
        typer.Option(
            "--size", help="Projects in the whole programme (default: the dataset's programme record, e.g. 14)."
        ),
    ] = None,
    changes: Annotated[int, typer.Option(help="Versions of editing history shown (0 = none).")] = 10,
    fmt: FormatOption = "table",
    out: OutOption = None,
    table: TableOption = None,
    wide: WideOption = False,
) -> None:
    """Programme status: projects per status (n of the programme public), MRL, milestones and slip,
    capacity online this year vs plan, capex committed vs spent, who changed what and when."""
    from importsub.analysis.programme import programme_summary

    store, ds = _read(db, dataset, version)
    result = programme_summary(ds, _date(as_of), year, programme_size=size)
    tables = dict(result.tables)
    if changes > 0:
        tables["history"] = _history(store, dataset, None, changes)
    emit_result(
        Result(result.name, tables, result.fingerprint), fmt, out, table, SUMMARY_TABLES.get(result.name), wide=wide
    )


@app.command()
def portfolio(
    budget: Annotated[float, typer.Option("--budget", "-b", help="Capex budget [RUB].")],
    db: DbOption = None,
    dataset: DatasetOption = DEFAULT_DATASET,
    version: VersionOption = None,
    objective: Annotated[
        str, typer.Option("--objective", help="loss (expected lost margin), localisation, or mix.")
    ] = "loss",
    scenario: Annotated[
        list[str] | None,
        typer.Option(
            "--scenarios", "--scenario", "-s", help="Scenarios of the set (repeatable); default: named shocks."
        ),
    ] = None,
    year: YearOption = None,
    group: GroupOption = "union",
    vehicle: Annotated[
        list[str] | None,
        typer.Option("--vehicle", help="Vehicle models whose localisation counts (repeatable; default all)."),
    ] = None,
    mix_weight: Annotated[
        float,
        typer.Option("--mix-weight", help="mix: RUB of expected loss worth one RUB/yr of domestic value added (λ)."),
    ] = 1.0,
    sweep: Annotated[bool, typer.Option("--sweep", help="Budget sweep 0 … budget: the Pareto frontier.")] = False,
    steps: Annotated[int, typer.Option(help="Budget points of the sweep.")] = 11,
    require: Annotated[
        str | None,
        typer.Option(
            "--require",
            help="REGIME:YEAR[:PURPOSE]: every model meets its statutory threshold that year, e.g. pp719:2028.",
        ),
    ] = None,
    method: Annotated[
        str,
        typer.Option(
            "--method",
            help="mip (one monolithic MIP), benders (Benders decomposition, one LP per scenario), or auto (by size).",
        ),
    ] = "auto",
    gap: Annotated[
        float | None,
        typer.Option("--gap", help="Stop at this relative optimality gap [fraction, e.g. 0.01 = 1 %].", min=0.0),
    ] = None,
    time_limit: Annotated[
        float | None,
        typer.Option(
            "--time-limit", help="Stop the solve after this many seconds; the gap reached is reported.", min=0.0
        ),
    ] = None,
    scheduler: Annotated[
        str | None,
        typer.Option("--scheduler", help="Benders: a Dask scheduler (tcp://host:8786) holding the second-stage LPs."),
    ] = None,
    workers: Annotated[
        int,
        typer.Option(
            "--workers", help="Benders without --scheduler: 0/1 = in this process, N ≥ 2 = a local Dask cluster."
        ),
    ] = 0,
    fmt: FormatOption = "table",
    out: OutOption = None,
    table: TableOption = None,
    wide: WideOption = False,
) -> None:
    """Which projects to fund under a budget: one HiGHS MIP (projects, capacity levels; operations per
    scenario) or its Benders decomposition (--method), compared with a greedy benefit/cost ranking;
    --sweep gives the Pareto frontier."""
    from importsub.analysis import portfolio as pf

    _, ds = _read(db, dataset, version)
    with status("building the portfolio model"):
        model = pf.PortfolioModel.build(
            ds,
            scenarios=scenario or None,
            year=year,
            objective=objective,
            group=group,
            vehicles=vehicle or None,
            mix_weight=mix_weight,
            require=require,
            method=method,
        )
    if sweep:
        budgets = pf.sweep_budgets(model, budget, steps)
        with progress() as bar:
            task = bar.add_task("budget sweep", total=len(budgets))
            result = pf.frontier(model, budgets, on_point=lambda: bar.advance(task), gap=gap, time_limit=time_limit)
    else:
        how = "the MIP" if model.method == "mip" else "by Benders decomposition"
        with status(f"solving {how}"):
            result = pf.optimise(model, budget, gap=gap, time_limit=time_limit)
    emit_result(result, fmt, out, table, SUMMARY_TABLES.get(result.name), wide=wide)
