"""Shared pieces of the CLI: options, store opening, error display, progress."""

from __future__ import annotations

import errno
import os
import signal
import sys
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TaskProgressColumn, TextColumn, TimeElapsedColumn
from rich.table import Table

from importsub.model.errors import ImportsubError, ValidationError
from importsub.model.interrupts import held_after_commit

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

WideOption = Annotated[
    bool,
    typer.Option(
        "--wide",
        help="Terminal: every column of each table, as wide as it needs (default: the key columns, fitted to the "
        "terminal; csv/json/xlsx always have every column at full precision).",
    ),
]

DEFAULT_DATASET = "by-ru-auto"


def command_group(**settings: Any) -> typer.Typer:
    """A Typer app of one command group, with the settings every group of this CLI shares (no rich markup:
    help texts contain units like "[weeks]"; no completion; our own error display)."""
    return typer.Typer(rich_markup_mode=None, add_completion=False, pretty_exceptions_enable=False, **settings)


def emit_result(
    result: Any,
    fmt: str,
    out_path: Path | None,
    tables: list[str] | None,
    summary: Sequence[str] | None = None,
    *,
    wide: bool = False,
) -> None:
    """Write an analysis ``Result``: only ``tables`` if given (unknown names are an error), else in
    the terminal only its ``summary`` tables (the long ones go to csv/json/xlsx); in the terminal each
    table's key columns (all with ``wide``), found by the result's name as the analysis kind."""
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
    emit(result.tables, fmt, out_path, fingerprint=result.fingerprint, title=result.name, kind=result.name, wide=wide)


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


def _library_exceptions(name: str) -> tuple[type[BaseException], ...]:
    """``name`` (``ClickException``, ``Exit``, ``Abort``) from every click the CLI may run on.

    Typer up to 0.2x raises click's own classes; typer 0.29 raises those of
    the copy of click it carries (``typer._click``), which are not click's:
    catch both, so a usage error is a usage error whichever a fresh install took.
    """
    import importlib

    found: list[type[BaseException]] = []
    for module in ("typer._click.exceptions", "click.exceptions", "typer.exceptions", "typer"):
        try:
            cls = getattr(importlib.import_module(module), name, None)
        except ImportError:
            continue
        if isinstance(cls, type) and issubclass(cls, BaseException) and cls not in found:
            found.append(cls)
    return tuple(found)


_CLICK_ERRORS = _library_exceptions("ClickException")
_EXITS = _library_exceptions("Exit")
_ABORTS = _library_exceptions("Abort")


def _show_usage_error(exc: BaseException) -> int:
    """click's own message ("Usage: … Try … --help … Error: …") on stderr; its exit code (2 for usage)."""
    show = getattr(exc, "show", None)
    if callable(show):
        show(file=sys.stderr)
    else:  # pragma: no cover - every click exception has show()
        err.print(f"Error: {exc}", highlight=False)
    return int(getattr(exc, "exit_code", 2))


def _disk_full(exc: OSError) -> bool:
    return exc.errno in (errno.ENOSPC, errno.EDQUOT)


def landed() -> None:
    """The command's write has landed: from here on Ctrl-C is ignored.

    The process only reports and exits after this point. A late Ctrl-C must not
    turn a written version into "interrupted; nothing more was written", and
    must not kill the process while it exits. Only in the ``importsub`` process
    (``main`` calls :func:`~importsub.model.interrupts.hold_after_commit`), on its main thread: a caller
    of ``run`` keeps its own Ctrl-C.  The store's SQLite bulk write holds it from its COMMIT already.
    """
    if held_after_commit() and threading.current_thread() is threading.main_thread():
        signal.signal(signal.SIGINT, signal.SIG_IGN)


def run(app: typer.Typer, args: list[str] | None = None) -> int:
    """Run the Typer app; turn our errors into a readable message and exit code 1, usage errors into
    click's usage message and exit code 2, Ctrl-C into "interrupted" and 130."""
    try:
        code = app(args=args, standalone_mode=False, prog_name="importsub")
        landed()
    except ValidationError as exc:
        show_problems(exc)
        return 1
    except ImportsubError as exc:
        err.print(f"[bold red]error:[/] {exc}", highlight=False)
        return 1
    except _EXITS as exc:
        return int(getattr(exc, "exit_code", 0) or 0)
    except _CLICK_ERRORS as exc:
        return _show_usage_error(exc)
    except _ABORTS:
        err.print("interrupted; nothing more was written")
        return 130
    except KeyboardInterrupt:
        err.print("interrupted; nothing more was written")
        return 130
    except OSError as exc:
        if _disk_full(exc):
            err.print(f"[bold red]error:[/] disk full: {exc.filename or ''} {exc.strerror}".rstrip(), highlight=False)
            return 1
        if exc.errno == errno.EPIPE:  # the reader of stdout went away (… | head)
            return 1
        return _internal(exc)
    except Exception as exc:
        return _internal(exc)
    if code == 130:  # typer turns KeyboardInterrupt into exit code 130 when not standalone
        err.print("interrupted; nothing more was written")
        return 130
    return code if isinstance(code, int) else 0


def _internal(exc: Exception) -> int:
    """A bug of ours: say so plainly, traceback only on request."""
    if os.environ.get("IMPORTSUB_DEBUG"):
        raise exc
    err.print(
        f"[bold red]internal error:[/] {type(exc).__name__}: {exc}\n"
        "This is a bug in importsub; set IMPORTSUB_DEBUG=1 to see the traceback and please report it.",
        highlight=False,
    )
    return 2


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
