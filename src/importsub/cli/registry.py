"""``importsub registry import``: a GISP open-data CSV into a new version of a dataset, with what could
not be linked reported."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import polars as pl
import typer

from importsub.cli.common import (
    DEFAULT_DATASET,
    DatasetOption,
    DbOption,
    FormatOption,
    command_group,
    err,
    landed,
    open_store,
    progress,
    status,
)
from importsub.reports.tables import emit

registry = command_group(
    help="Registries of industrial products (GISP, the Eurasian register): import their open data.",
    no_args_is_help=True,
)


@registry.command("import")
def import_(
    path: Annotated[
        Path, typer.Argument(help="A GISP open-data CSV (UTF-8 or Windows-1251, ';' or ',').", exists=True)
    ],
    dataset: DatasetOption = DEFAULT_DATASET,
    db: DbOption = None,
    replace: Annotated[
        bool, typer.Option("--replace", help="The file is the whole registry: drop the earlier entries.")
    ] = False,
    note: Annotated[str | None, typer.Option(help="A note stored with the new version.")] = None,
    fmt: FormatOption = "table",
) -> None:
    """Read the registry file, link entries to organisations (INN/OGRN) and parts (OKPD2/TN VED prefix),
    store them as a new version of the dataset and list what could not be linked."""
    from importsub.io.gisp import link, merged, read_gisp
    from importsub.model.validate import check

    with status(f"reading {path}"):
        entries = read_gisp(path)
    store = open_store(db)
    with status(f"reading {dataset} from the store"):
        ds = store.read_dataset(dataset)
    linked, unlinked = link(entries, ds)
    new = check(merged(ds, linked, replace=replace))
    with progress() as bar:
        task = bar.add_task(f"writing {dataset}", total=sum(new.counts().values()))
        info = store.write_dataset(
            new,
            name=dataset,
            note=note or f"registry entries from {path.name}",
            source=str(path),
            progress=lambda table, done, _total: bar.update(task, completed=done, description=f"writing {table}"),
        )
        landed()
    orgs = sum(1 for u in unlinked if u.what == "organisation")
    err.print(
        f"imported {entries.height:,} registry entries from {path} into {dataset} version {info.version}: "
        f"{entries.height - orgs:,} linked to an organisation, {orgs:,} not; "
        f"{sum(1 for u in unlinked if u.what == 'part'):,} without a single part"
    )
    report = pl.DataFrame(
        {
            "row": [u.row for u in unlinked],
            "registry number": [u.number for u in unlinked],
            "not linked": [u.what for u in unlinked],
            "reason": [u.reason for u in unlinked],
        },
        schema={"row": pl.Int64, "registry number": pl.String, "not linked": pl.String, "reason": pl.String},
    )
    emit({"not linked": report}, fmt)
