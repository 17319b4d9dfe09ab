"""Shared pieces of the CLI: options, store opening, error display, progress."""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated, Any

import click
import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TaskProgressColumn, TextColumn, TimeElapsedColumn
from rich.table import Table

from importsub.model.errors import ImportsubError, ValidationError

# data goes to stdout; messages, progress and errors to stderr
out = Console(soft_wrap=True)
err = Console(stderr=True)

DbOption = Annotated[
    str | None,
    typer.Option(
        "--db",
        envvar="IMPORTSUB_DB",
        help="Store: a SQLite path or a SQLAlchemy URL (postgresql+psycopg://...). Default: a SQLite file in the user data folder.",
        show_default=False,
    ),
]
DatasetOption = Annotated[str, typer.Option("--dataset", "-d", help="Dataset name in the store.")]
VersionOption = Annotated[int | None, typer.Option("--version", "-v", help="Dataset version (default: latest).")]
FormatOption = Annotated[
    str,
    typer.Option(
        "--format",
        "-f",
        help="Output format: table, csv, json or xlsx. csv to stdout writes every table, each after a '# table: NAME' line; "
        "with --out FILE the first table goes to FILE and each other to FILE-<name>.csv (name without spaces).",
    ),
]
OutOption = Annotated[Path | None, typer.Option("--out", "-o", help="Write the output to this file instead of stdout.")]

GroupOption = Annotated[
    str, typer.Option("--group", "-g", help="Country group (e.g. union) or ISO2 code whose content counts as domestic.")
]
ScenarioOption = Annotated[
    str | None, typer.Option("--scenario", "-s", help="Scenario whose demand changes and year apply.")
]
TableOption = Annotated[
    list[str] | None,
    typer.Option(
        "--table", "-t", help="Only these result tables (repeatable); default: all (terminal: the summary tables)."
    ),
]

DEFAULT_DATASET = "by-ru-auto"


def emit_result(
    result: Any, fmt: str, out_path: Path | None, tables: list[str] | None, summary: Sequence[str] | None = None
) -> None:
    """Write an analysis ``Result``: only ``tables`` if given (unknown names are an error), else in
    the terminal only its ``summary`` tables (the long ones go to csv/json/xlsx)."""
    from importsub.reports.tables import emit

    if tables:
        unknown = [t for t in tables if t not in result.tables]
        if unknown:
            raise ImportsubError(
                f"{result.name} has no table {', '.join(map(repr, unknown))}; tables: {', '.join(result.tables)}"
            )
        result = result.select(*tables)
    elif fmt == "table" and summary is not None:
        result = result.select(*[t for t in summary if t in result.tables])
    emit(result.tables, fmt, out_path, fingerprint=result.fingerprint, title=result.name)


def open_store(db: str | None) -> Any:
    from importsub.store import Store

    return Store(db)


def show_problems(exc: ValidationError) -> None:
    table = Table(title=f"{exc.total} problem(s); nothing was written", title_justify="left", show_lines=False)
    for col in ("file", "sheet", "row", "column", "problem"):
        table.add_column(col, overflow="fold")
    for p in exc.problems:
        table.add_row(p.file or "", p.sheet or "", "" if p.row is None else str(p.row), p.column or "", p.message)
    err.print(table)
    if exc.total > len(exc.problems):
        err.print(f"… and {exc.total - len(exc.problems)} more problem(s) not shown")


def run(app: typer.Typer, args: list[str] | None = None) -> int:
    """Run the Typer app; turn our errors into a readable message and exit code 1."""
    try:
        code = app(args=args, standalone_mode=False)
    except ValidationError as exc:
        show_problems(exc)
        return 1
    except ImportsubError as exc:
        err.print(f"[bold red]error:[/] {exc}", highlight=False)
        return 1
    except click.exceptions.Exit as exc:
        return int(exc.exit_code or 0)
    except click.ClickException as exc:
        exc.show(file=sys.stderr)
        return exc.exit_code
    except click.exceptions.Abort:
        err.print("aborted")
        return 130
    except KeyboardInterrupt:
        err.print("interrupted; nothing more was written")
        return 130
    except Exception as exc:  # a bug of ours: say so plainly, traceback only on request
        if os.environ.get("IMPORTSUB_DEBUG"):
            raise
        err.print(
            f"[bold red]internal error:[/] {type(exc).__name__}: {exc}\n"
            "This is a bug in importsub; set IMPORTSUB_DEBUG=1 to see the traceback and please report it.",
            highlight=False,
        )
        return 2
    if code == 130:  # typer turns KeyboardInterrupt into exit code 130 when not standalone
        err.print("interrupted; nothing more was written")
        return 130
    return code if isinstance(code, int) else 0


def progress(transient: bool = True) -> Progress:
    """A rich progress bar on stderr (hidden when stderr is not a terminal)."""
    return Progress(
        TextColumn("[progress.description]{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TaskProgressColumn(),
        TimeElapsedColumn(),
        console=err,
        transient=transient,
    )


@contextmanager
def status(message: str) -> Iterator[None]:
    with err.status(message):
        yield
