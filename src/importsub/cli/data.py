"""Dataset commands: demo, import, export, template, validate, datasets, diff, synth."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Annotated

import polars as pl
import typer

from importsub.cli.common import (
    DEFAULT_DATASET,
    DatasetOption,
    DbOption,
    FormatOption,
    OutOption,
    VersionOption,
    command_group,
    err,
    landed,
    open_store,
    out,
    progress,
    status,
)
from importsub.model.dataset import Dataset
from importsub.model.errors import ImportsubError
from importsub.reports.tables import emit

# a file to read: a missing or unreadable one is a usage error (click's message, exit code 2)
InputPath = Annotated[
    Path,
    typer.Argument(
        help="An .xlsx workbook, a .json document, or a folder of .csv files.",
        exists=True,
        readable=True,
    ),
]


CsvDialectOption = Annotated[
    str,
    typer.Option(
        "--csv-dialect",
        help="CSV files: auto (detect), utf8 (UTF-8, ',' and a decimal point) or ru (Excel in a Russian locale: "
        "';', a decimal comma, Windows-1251 or UTF-8).",
    ),
]


def _write_with_progress(store: object, ds: Dataset, **kwargs: object) -> object:
    total = sum(ds.counts().values())
    with progress() as bar:
        task = bar.add_task(f"writing {ds.name}", total=total)

        def tick(table: str, done: int, _total: int) -> None:
            bar.update(task, completed=done, description=f"writing {table}")

        info = store.write_dataset(ds, progress=tick, **kwargs)  # type: ignore[attr-defined]
        landed()
        return info


def _read_file(path: Path, name: str | None = None, *, validate: bool = True, csv_dialect: str = "auto") -> Dataset:
    from importsub.io import read_path
    from importsub.io.csv import DIALECTS

    if csv_dialect not in DIALECTS:
        raise typer.BadParameter(f"{csv_dialect!r} is not one of: {', '.join(DIALECTS)}", param_hint="'--csv-dialect'")
    with status(f"reading and checking {path}"):
        return read_path(path, name=name, validate=validate, csv_dialect=csv_dialect)


def summary_tables(ds: Dataset, group: str = "union") -> dict[str, pl.DataFrame]:
    """Record counts, vehicles per OEM and the share of supply links from outside ``group``."""
    counts = pl.DataFrame([(k, v) for k, v in ds.counts().items()], schema=["record type", "records"], orient="row")
    members = ds.country_groups.filter(pl.col("group") == group).get_column("iso2")
    sites = ds.sites.select(pl.col("id").alias("site"), "organization", "country")
    orgs = ds.organizations.select(pl.col("id").alias("organization"), pl.col("name").alias("OEM"))
    tables: dict[str, pl.DataFrame] = {"records": counts}
    if ds.demand.height:
        from importsub.compile import default_year

        year = default_year(ds)  # the one default-year rule, as every analysis
        per_oem = (
            ds.demand.filter(pl.col("year") == year)
            .join(sites, on="site")
            .join(orgs, on="organization")
            .group_by("OEM")
            .agg(
                pl.col("units").sum().alias(f"vehicles {year} [units/yr]"),
                pl.col("part").n_unique().alias("models"),
            )
            .sort(f"vehicles {year} [units/yr]", descending=True)
        )
        tables[f"vehicles per OEM, {year}"] = per_oem
    if ds.supply_links.height:
        links = ds.supply_links.join(
            sites.select(pl.col("site").alias("supplier"), pl.col("country").alias("supplier country")), on="supplier"
        )
        outside = links.filter(~pl.col("supplier country").is_in(members.to_list()))
        share = pl.DataFrame(
            {
                "supply links": [links.height],
                f"from outside {group}": [outside.height],
                f"share outside {group} [%]": [100.0 * outside.height / links.height],
                "supplier countries outside": [
                    ", ".join(sorted(outside.get_column("supplier country").unique().to_list()))
                ],
            }
        )
        tables["supply links"] = share
    return tables


app = command_group()
"""The dataset commands (demo, import, export, template, validate, datasets, diff, synth): top-level commands."""


@app.command()
def demo(
    db: DbOption = None,
    reload: Annotated[bool, typer.Option(help="Store the embedded demo again if it changed.")] = True,
    fmt: FormatOption = "table",
) -> None:
    """Load the embedded by-ru-auto demo into the store (if absent) and print its summary, headline,
    the programme (projects, host sites, status, capacity online this year, n of N public) and the loss
    of each named scenario."""
    from importsub.demo import NAME, load

    store = open_store(db)
    ds = load()
    fresh = not store.has_dataset(NAME)
    if fresh or (reload and store.versions(NAME)[-1].fingerprint != ds.fingerprint()):
        info = _write_with_progress(store, ds, note="embedded demo", source="importsub.demo")
        err.print(f"stored demo dataset [bold]{NAME}[/] version {info.version} in {store}")  # type: ignore[attr-defined]
    else:
        err.print(f"demo dataset [bold]{NAME}[/] already in {store}")
    datasets = pl.DataFrame(
        [(d.name, d.latest, d.versions, sum(d.counts.values())) for d in store.datasets()],
        schema=["dataset", "latest version", "versions", "records"],
        orient="row",
    )
    tables = {"datasets": datasets, **summary_tables(store.read_dataset(NAME))}
    from importsub.analysis import demo_headline, demo_programme
    from importsub.compile import YEAR_RULE, default_year

    tables.update(demo_headline(ds))
    with status("the programme and its named scenarios"):
        tables.update(demo_programme(ds))
    fp = {"dataset": NAME, "fingerprint": ds.fingerprint()[:12], "year": default_year(ds), "year rule": YEAR_RULE}
    emit(tables, fmt, None, fingerprint=fp)


@app.command("import")
def import_(
    path: InputPath,
    dataset: Annotated[
        str | None, typer.Option("--dataset", "-d", help="Dataset name (default: the file name).")
    ] = None,
    note: Annotated[str | None, typer.Option(help="A note stored with the new version.")] = None,
    db: DbOption = None,
    csv_dialect: CsvDialectOption = "auto",
) -> None:
    """Validate a file and store it as a new version of a dataset (all or nothing)."""
    t0 = time.perf_counter()
    ds = _read_file(path, dataset, csv_dialect=csv_dialect)
    store = open_store(db)
    info = _write_with_progress(store, ds, note=note, source=str(path))
    n = sum(ds.counts().values())
    dt = time.perf_counter() - t0
    err.print(
        f"imported {n:,} records from {path} as [bold]{info.dataset}[/] version {info.version} "  # type: ignore[attr-defined]
        f"in {dt:.1f} s ({n / max(dt, 1e-9):,.0f} records/s)"
    )


@app.command()
def export(
    out_path: Annotated[
        Path, typer.Argument(metavar="OUT", help="Target: FILE.xlsx, FILE.json or a folder for CSV files.")
    ],
    dataset: DatasetOption = DEFAULT_DATASET,
    version: VersionOption = None,
    fmt: Annotated[str | None, typer.Option("--format", "-f", help="xlsx, json or csv (default: from OUT).")] = None,
    db: DbOption = None,
) -> None:
    """Write a stored dataset version to a file (the same formats import reads)."""
    from importsub.io import write_path

    store = open_store(db)
    ds = store.read_dataset(dataset, version)
    with status(f"writing {out_path}"):
        write_path(ds, out_path, fmt)
    err.print(f"exported {dataset} version {ds.version} to {out_path}")


@app.command()
def template(
    path: Annotated[Path, typer.Argument(help="Where to write the empty workbook (.xlsx).")],
) -> None:
    """Write an empty xlsx workbook: a sheet per record type with headers, units and notes."""
    from importsub.io.xlsx import write_template

    if path.suffix.lower() != ".xlsx":
        raise ImportsubError(f"{path}: the template is an .xlsx workbook")
    write_template(path)
    err.print(f"wrote template {path}")


@app.command()
def validate(
    path: InputPath,
    csv_dialect: CsvDialectOption = "auto",
) -> None:
    """Check a file without writing anything; list every problem with its place."""
    ds = _read_file(path, csv_dialect=csv_dialect)
    counts = ds.counts()
    out.print(f"{path}: OK, {sum(counts.values()):,} records in {sum(1 for v in counts.values() if v)} record types")


@app.command()
def datasets(
    name: Annotated[str | None, typer.Argument(help="Show the versions of this dataset.")] = None,
    db: DbOption = None,
    fmt: FormatOption = "table",
    out_file: OutOption = None,
) -> None:
    """List the datasets in the store, or the versions of one."""
    store = open_store(db)
    if name is None:
        rows = [
            (d.name, d.latest, d.versions, d.created_at.isoformat(timespec="seconds"), sum(d.counts.values()))
            for d in store.datasets()
        ]
        df = pl.DataFrame(rows, schema=["dataset", "latest version", "versions", "created", "records"], orient="row")
        emit(df, fmt, out_file, title="datasets")
        return
    rows2 = [
        (
            v.version,
            v.created_at.isoformat(timespec="seconds"),
            sum(v.counts.values()),
            v.note or "",
            v.source or "",
            v.fingerprint[:12],
        )
        for v in store.versions(name)
    ]
    df = pl.DataFrame(rows2, schema=["version", "created", "records", "note", "source", "fingerprint"], orient="row")
    emit(df, fmt, out_file, title=f"versions of {name}")


@app.command()
def diff(
    name: Annotated[str, typer.Argument(help="Dataset name.")],
    from_version: Annotated[
        int | None, typer.Option("--from", help="Older version (default: the one before --to).")
    ] = None,
    to_version: Annotated[int | None, typer.Option("--to", help="Newer version (default: the latest).")] = None,
    db: DbOption = None,
    fmt: FormatOption = "table",
    out_file: OutOption = None,
) -> None:
    """Records added, removed and changed between two versions of a dataset."""
    store = open_store(db)
    tables = store.diff(name, from_version, to_version)
    summary = tables["summary"].filter((pl.col("added") + pl.col("removed") + pl.col("changed")) > 0)
    emit({"summary": summary, "changes": tables["changes"]}, fmt, out_file, title="diff")


@app.command()
def synth(
    sites: Annotated[int, typer.Option("--sites", help="Number of sites.", min=5)] = 1000,
    seed: Annotated[int, typer.Option("--seed", help="Random seed (same seed, same dataset).")] = 0,
    out_path: Annotated[
        Path, typer.Option("--out", "-o", help="Folder for CSV files (or FILE.xlsx / FILE.json).")
    ] = Path("synth"),
    links_per_buyer: Annotated[float, typer.Option(help="Mean suppliers per buyer and input part.")] = 2.0,
) -> None:
    """Write a realistic synthetic dataset of any size (for tests and benchmarks)."""
    from importsub.demo.synth import synth as make
    from importsub.io import write_path

    t0 = time.perf_counter()
    with status(f"generating {sites:,} sites"):
        ds = make(sites, seed, links_per_buyer=links_per_buyer)
    t1 = time.perf_counter()
    with status(f"writing {out_path}"):
        write_path(ds, out_path)
    c = ds.counts()
    err.print(
        f"wrote {sites:,} sites, {c['parts']:,} parts, {c['production']:,} production records, "
        f"{c['supply_links']:,} supply links to {out_path} (generated in {t1 - t0:.1f} s, written in {time.perf_counter() - t1:.1f} s)"
    )
