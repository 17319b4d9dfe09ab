"""``importsub analyze localisation|concentration|balance|matching|compliance``: load a dataset
from the store, compile it, run one analysis and emit its tables."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated

import typer

from importsub.analysis.result import Result
from importsub.cli.common import (
    DEFAULT_DATASET,
    DatasetOption,
    DbOption,
    FormatOption,
    GroupOption,
    OutOption,
    ScenarioOption,
    TableOption,
    VersionOption,
    WideOption,
    command_group,
    emit_result,
    open_store,
    status,
)
from importsub.compile.network import Network
from importsub.model.errors import ImportsubError

YearOption = Annotated[
    int | None,
    typer.Option(
        "--year",
        "-y",
        help="Year of demand (default: the latest year with demand not after the current year, else the earliest).",
    ),
]

# tables shown in the terminal when none is chosen (the others are long; use csv/json/xlsx)
SUMMARY_TABLES = {
    "localisation": ("vehicles", "oems", "origins", "entry points", "untraced", "paths", "categories", "countries"),
    "concentration": ("strategic", "choke points", "buyers"),
    "balance": ("summary", "pools", "parts"),
    "matching": ("parts", "no candidate", "candidates"),
    "compliance": ("models", "first breach", "next steps", "expiring"),
}


def load_network(db: str | None, dataset: str, version: int | None, scenario: str | None, year: int | None) -> Network:
    """Read a dataset from the store and compile it (with a status line on stderr)."""
    from importsub.compile import compile

    with status(f"reading {dataset} from the store"):
        ds = open_store(db).read_dataset(dataset, version)
    with status(f"compiling {dataset} ({ds.sites.height:,} sites, {ds.supply_links.height:,} links)"):
        return compile(ds, scenario, year)


def _run(
    analysis: Callable[[Network], Result],
    db: str | None,
    dataset: str,
    version: int | None,
    scenario: str | None,
    year: int | None,
    fmt: str,
    out: object,
    tables: list[str] | None,
    wide: bool = False,
) -> None:
    net = load_network(db, dataset, version, scenario, year)
    with status("analysing"):
        result = analysis(net)
    emit_result(result, fmt, out, tables, SUMMARY_TABLES.get(result.name), wide=wide)  # type: ignore[arg-type]


analyze = command_group(
    help="Network analytics: multi-tier import content, concentration, demand–capacity balance, substitution matching.",
    no_args_is_help=True,
)


@analyze.command()
def localisation(
    db: DbOption = None,
    dataset: DatasetOption = DEFAULT_DATASET,
    version: VersionOption = None,
    group: GroupOption = "union",
    year: YearOption = None,
    scenario: ScenarioOption = None,
    fmt: FormatOption = "table",
    out: OutOption = None,
    table: TableOption = None,
    wide: WideOption = False,
    top: Annotated[int, typer.Option(help="Entry points listed (0 = all).")] = 20,
    paths: Annotated[int, typer.Option(help="Vehicles whose import path is explained (0 = all).")] = 20,
) -> None:
    """Domestic and import content through every tier, per vehicle, OEM, category and country, with data coverage."""
    from importsub.analysis.localisation import localisation as run

    _run(
        lambda net: run(net, group, top_entry_points=top, paths=paths),
        db,
        dataset,
        version,
        scenario,
        year,
        fmt,
        out,
        table,
        wide,
    )


@analyze.command()
def concentration(
    db: DbOption = None,
    dataset: DatasetOption = DEFAULT_DATASET,
    version: VersionOption = None,
    group: GroupOption = "union",
    year: YearOption = None,
    scenario: ScenarioOption = None,
    fmt: FormatOption = "table",
    out: OutOption = None,
    table: TableOption = None,
    wide: WideOption = False,
    choke_share: Annotated[
        float, typer.Option(help="Choke point: one outside site above this share of the group's need.")
    ] = 0.3,
    strategic_hhi: Annotated[
        float, typer.Option(help="Strategic dependence: import-origin HHI above this (0–1).")
    ] = 0.4,
) -> None:
    """HHI of suppliers and supplier countries, single sources, choke points, strategic dependence."""
    from importsub.analysis.concentration import concentration as run

    _run(
        lambda net: run(net, group, choke_share=choke_share, strategic_hhi=strategic_hhi),
        db,
        dataset,
        version,
        scenario,
        year,
        fmt,
        out,
        table,
        wide,
    )


@analyze.command()
def balance(
    db: DbOption = None,
    dataset: DatasetOption = DEFAULT_DATASET,
    version: VersionOption = None,
    group: GroupOption = "union",
    year: YearOption = None,
    scenario: ScenarioOption = None,
    fmt: FormatOption = "table",
    out: OutOption = None,
    table: TableOption = None,
    wide: WideOption = False,
    all_years: Annotated[bool, typer.Option("--all-years", help="Every year with demand, not one year.")] = False,
) -> None:
    """Derived demand in the group vs its capacity (existing + projects' ramp-up): self-sufficiency, gap, surplus."""
    from importsub.analysis.balance import balance as run
    from importsub.analysis.balance import balance_years

    if all_years:
        if year is not None:
            raise ImportsubError("give either --year or --all-years, not both")
        with status(f"reading {dataset} from the store"):
            ds = open_store(db).read_dataset(dataset, version)
        with status("compiling and balancing every year"):
            result = balance_years(ds, None, group, scenario=scenario)
        emit_result(result, fmt, out, table, SUMMARY_TABLES.get(result.name), wide=wide)
        return
    _run(lambda net: run(net, group), db, dataset, version, scenario, year, fmt, out, table, wide)


@analyze.command()
def matching(
    db: DbOption = None,
    dataset: DatasetOption = DEFAULT_DATASET,
    version: VersionOption = None,
    group: GroupOption = "union",
    year: YearOption = None,
    scenario: ScenarioOption = None,
    fmt: FormatOption = "table",
    out: OutOption = None,
    table: TableOption = None,
    wide: WideOption = False,
    top: Annotated[int, typer.Option(help="Candidates listed per imported need.")] = 5,
) -> None:
    """Domestic producers that could replace each import (same part, HS heading or category), ranked."""
    from importsub.analysis.matching import matching as run

    _run(lambda net: run(net, group, top=top), db, dataset, version, scenario, year, fmt, out, table, wide)


@analyze.command()
def compliance(
    db: DbOption = None,
    dataset: DatasetOption = DEFAULT_DATASET,
    version: VersionOption = None,
    regime: Annotated[str, typer.Option(help="Regime: pp719, cis2009, eaeu105, assembly or all.")] = "all",
    year: YearOption = None,
    purpose: Annotated[
        str | None, typer.Option(help="Only thresholds of this purpose (default: every purpose of the rule).")
    ] = None,
    group: GroupOption = "union",
    scenario: ScenarioOption = None,
    until: Annotated[
        int | None, typer.Option(help="Last year checked for a first breach (default: the last threshold year).")
    ] = None,
    fmt: FormatOption = "table",
    out: OutOption = None,
    table: TableOption = None,
    wide: WideOption = False,
) -> None:
    """Statutory localisation: Decree 719 points, CIS 2009 origin, EAEU 105 operations, assembly share."""
    from importsub.analysis.compliance import compliance_of, regimes_of

    regimes_of(regime)  # a bad name fails before the store is read
    with status(f"reading {dataset} from the store"):
        ds = open_store(db).read_dataset(dataset, version)
    with status("compiling and judging every year"):
        result = compliance_of(ds, year, regime=regime, purpose=purpose, group=group, scenario=scenario, until=until)
    emit_result(result, fmt, out, table, SUMMARY_TABLES.get(result.name), wide=wide)
