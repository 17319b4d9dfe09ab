"""A folder of CSV files, one per record type (``supply_links.csv`` ...), UTF-8."""

from __future__ import annotations

from pathlib import Path

import polars as pl

from importsub.model.dataset import Dataset
from importsub.model.errors import FileFormatError
from importsub.model.schema import TABLE_NAMES
from importsub.model.validate import ROW, RawTable


def _read_one(path: Path) -> RawTable:
    try:
        head = path.read_bytes()[:4096]
    except OSError as exc:
        raise FileFormatError(f"{path}: cannot read: {exc.strerror}") from exc
    if b"\x00" in head:
        raise FileFormatError(f"{path}: binary data, not CSV text")
    try:
        df = pl.read_csv(
            path,
            infer_schema=False,
            encoding="utf8",
            raise_if_empty=False,
            truncate_ragged_lines=False,
        )
    except pl.exceptions.ComputeError as exc:
        msg = str(exc).splitlines()[0]
        if "utf-8" in msg.lower() or "utf8" in msg.lower():
            raise FileFormatError(f"{path}: not valid UTF-8 text; save it as 'CSV UTF-8'") from exc
        raise FileFormatError(f"{path}: cannot read as CSV: {msg}") from exc
    except (pl.exceptions.PolarsError, OSError) as exc:
        raise FileFormatError(f"{path}: cannot read as CSV: {str(exc).splitlines()[0]}") from exc
    df = df.rename({c: c.lstrip("\ufeff").strip() for c in df.columns})
    # header is line 1, data starts at line 2
    df = df.with_row_index(ROW, offset=2).with_columns(pl.col(ROW).cast(pl.Int64))
    return RawTable(path.stem, df, str(path), path.stem)


def read_csv(path: Path) -> list[RawTable]:
    """Every ``*.csv`` in a folder (or one file), named by its stem."""
    if path.is_dir():
        files = sorted(path.glob("*.csv"))
        if not files:
            raise FileFormatError(f"{path}: no .csv files in this folder")
        return [_read_one(f) for f in files]
    return [_read_one(path)]


def write_csv(ds: Dataset, folder: Path) -> None:
    """One ``<table>.csv`` per record type (empty tables get a header line)."""
    folder.mkdir(parents=True, exist_ok=True)
    for name in TABLE_NAMES:
        df = ds.canonical(name)
        df.write_csv(folder / f"{name}.csv", date_format="%Y-%m-%d")
