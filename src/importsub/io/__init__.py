"""Reading and writing datasets: one xlsx workbook, a folder of CSV files, or one JSON document.

Every format has one reader (file -> raw text tables) and one writer
(Dataset -> file); typing and validation are shared
(:func:`importsub.model.validate.parse`), so every format reports problems
the same way: file, sheet, row, column and what is wrong.

Examples
--------
>>> import tempfile, pathlib
>>> from importsub.demo import load
>>> out = pathlib.Path(tempfile.mkdtemp()) / "demo.json"
>>> write_path(load(), out)
>>> read_path(out).equals(load())
True
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from importsub.io.atomic import atomic_file, atomic_folder
from importsub.io.limits import LIMITS, ReadLimits
from importsub.model.dataset import Dataset
from importsub.model.errors import MAX_PROBLEMS, FileFormatError

if TYPE_CHECKING:
    from importsub.model.validate import RawTable

FORMATS = ("xlsx", "csv", "json")


def detect_format(path: Path) -> str:
    """``xlsx``, ``json`` or ``csv`` (a folder of CSV files, or one CSV file named after its record type)."""
    if path.is_dir():
        return "csv"
    suffix = path.suffix.lower()
    if suffix in (".xlsx", ".xlsm"):
        return "xlsx"
    if suffix == ".json":
        return "json"
    if suffix == ".csv":
        return "csv"
    raise FileFormatError(
        f"{path}: unknown file type {suffix or '(none)'!r}; use .xlsx, .json, .csv or a folder of .csv files"
    )


def read_raw(path: Path | str, *, limits: ReadLimits = LIMITS, csv_dialect: str = "auto") -> list[RawTable]:
    """Raw text tables of a file or folder, with row numbers as the user sees them.

    ``limits`` bound what an xlsx workbook may cost to read (:mod:`importsub.io.limits`);
    ``csv_dialect`` is ``auto``, ``utf8`` or ``ru`` (:mod:`importsub.io.csv`).
    """
    path = Path(path)
    if not path.exists():
        raise FileFormatError(f"{path}: no such file or folder")
    fmt = detect_format(path)
    if fmt == "xlsx":
        from importsub.io.xlsx import read_xlsx

        return read_xlsx(path, limits)
    if fmt == "json":
        from importsub.io.json import read_json

        return read_json(path)
    from importsub.io.csv import read_csv

    return read_csv(path, dialect=csv_dialect)


def read_path(
    path: Path | str,
    *,
    name: str | None = None,
    validate: bool = True,
    max_problems: int = MAX_PROBLEMS,
    limits: ReadLimits = LIMITS,
    csv_dialect: str = "auto",
) -> Dataset:
    """Read and validate a dataset file; raises ValidationError or FileFormatError.

    ``validate=False`` only types the cells (used to round-trip partial data).
    """
    path = Path(path)
    raw = read_raw(path, limits=limits, csv_dialect=csv_dialect)
    default_name = path.stem if path.is_file() else path.name
    from importsub.model.validate import parse  # validation is loaded when a file is read, not by every command

    return parse(raw, name=name or default_name, max_problems=max_problems, validate=validate)


def write_path(ds: Dataset, path: Path | str, fmt: str | None = None) -> None:
    """Write every table of ``ds`` to ``path`` (format from ``fmt`` or the suffix; no suffix = CSV folder)."""
    path = Path(path)
    if fmt is None:
        fmt = detect_format(path) if path.suffix else "csv"
    # whole or not at all: a full disk or Ctrl-C leaves an existing file as it was
    if fmt == "xlsx":
        from importsub.io.xlsx import write_xlsx

        with atomic_file(path) as tmp:
            write_xlsx(ds, tmp)
    elif fmt == "json":
        from importsub.io.json import write_json

        with atomic_file(path) as tmp:
            write_json(ds, tmp)
    elif fmt == "csv":
        from importsub.io.csv import write_csv

        with atomic_folder(path) as tmp:
            write_csv(ds, tmp)
    else:
        raise FileFormatError(f"unknown format {fmt!r}; use one of {', '.join(FORMATS)}")


__all__ = ["FORMATS", "LIMITS", "ReadLimits", "detect_format", "read_path", "read_raw", "write_path"]
