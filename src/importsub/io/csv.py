"""A folder of CSV files, one per record type (``supply_links.csv`` ...), UTF-8."""

from __future__ import annotations

import csv as pycsv
import io
import re
from pathlib import Path

import numpy as np
import polars as pl

from importsub.io.cells import neutral_frame, restore_frame
from importsub.model.dataset import Dataset
from importsub.model.errors import FileFormatError, Problem
from importsub.model.schema import TABLE_NAMES
from importsub.model.validate import ROW, RawTable

DIALECTS = ("auto", "utf8", "ru")
"""``utf8``: UTF-8, ``,`` between fields, ``.`` in numbers.  ``ru``: what Excel writes in a Russian
locale ("CSV (разделители — точка с запятой)"): ``;`` between fields, a decimal comma, UTF-8 or
Windows-1251 text.  ``auto`` (the default) tells them apart by the header line and the bytes."""


# what Windows-1251 text in Russian, Belarusian or Ukrainian holds beyond ASCII: their letters, №, quotes,
# dashes, a no-break space, °, €, …
_CP1251_TEXT = re.compile(
    "[\u0410-\u044f\u0401\u0451\u040e\u045e\u0406\u0456\u0407\u0457\u0404\u0454\u0490\u0491"
    "\u2116\u00ab\u00bb\u201e\u201c\u201d\u2018\u2019\u2013\u2014\u00a0\u00b0\u20ac\u2026]"
)


def _decode(path: Path, data: bytes, dialect: str, table: str) -> tuple[str, str]:
    """The file's text and the encoding it was read in.

    Text that is not UTF-8 is read as Windows-1251 (``ru``, or ``auto`` when every character beyond
    ASCII it gives is one Russian text has); UTF-8 text with a damaged byte sequence is refused at its
    line and column, never read as Windows-1251 (which would turn all its Cyrillic into other letters).
    """
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError as exc:
        utf8_error = exc
    if dialect == "utf8" or _mostly_utf8(data):
        raise _damaged_utf8(path, data, utf8_error, table)
    try:
        text = data.decode("cp1251")
    except UnicodeDecodeError as exc:  # 0x98 is the one byte cp1251 leaves undefined
        raise _damaged_utf8(path, data, utf8_error, table) from exc
    if dialect == "auto" and any(
        not _CP1251_TEXT.match(ch) for ch in text if ord(ch) > 127
    ):  # not Russian text in Windows-1251 either
        raise _damaged_utf8(path, data, utf8_error, table)
    return text, "cp1251"


def _mostly_utf8(data: bytes) -> bool:
    """More characters beyond ASCII decode as UTF-8 than fail to: UTF-8 text with damage, not Windows-1251."""
    text = data.decode("utf-8", errors="replace")
    bad = text.count("\ufffd")
    good = sum(1 for ch in text if ord(ch) > 127) - bad
    return good > bad


def _damaged_utf8(path: Path, data: bytes, exc: UnicodeDecodeError, table: str) -> FileFormatError:
    """A file error naming the line (row) and column of the first byte that is not UTF-8."""
    line_start = data.rfind(b"\n", 0, exc.start) + 1
    line_end = data.find(b"\n", exc.start)
    line_bytes = data[line_start : None if line_end < 0 else line_end]
    header = data.split(b"\n", 1)[0].decode("utf-8", errors="replace").strip("\r\ufeff")
    sep = ";" if header.count(";") > header.count(",") else ","
    names = next(pycsv.reader([header], delimiter=sep), [])
    marked = (line_bytes[: exc.start - line_start] + b"\x00MARK\x00").decode("utf-8", errors="replace")
    fields = next(pycsv.reader([marked], delimiter=sep), [""])
    column = names[len(fields) - 1].strip() if len(fields) <= len(names) else None
    bad = data[exc.start : exc.end].hex(" ").upper()
    where = Problem(str(path), table, data.count(b"\n", 0, exc.start) + 1, column, "").where()
    return FileFormatError(
        f"{where}: not valid UTF-8 text (bytes {bad}): the file is damaged, or save it as 'CSV UTF-8'; "
        "a file in Windows-1251 is read with --csv-dialect ru"
    )


def _binary(head: bytes) -> bool:
    """Mostly control bytes: a binary file (a workbook renamed .csv), not text with a stray NUL."""
    controls = sum(1 for b in head if b < 9 or 13 < b < 32)
    return controls > max(8, len(head) // 100)


def _record_lines(path: Path, text: str, sep: str, table: str, utf8: bytes | None = None) -> list[int] | None:
    """The line each record after the header starts on (a quoted field may span lines); a line whose number
    of fields differs from the header's is an error naming it (a short line would take defaults silently).

    ``None`` when every line after the header is one record (no quotes, no carriage returns): record ``i``
    (from 0) is then on line ``i + 2``.  ``utf8`` is ``text`` as UTF-8 bytes, if the caller has them.
    """
    data = utf8 if utf8 is not None else text.encode("utf-8")
    if not any(c in data for c in (b'"', b"\r", b"\x00")) and _plain_line_count(path, data, sep, table) is not None:
        return None
    return _quoted_record_lines(path, text, sep, table)


def _plain_record_lines(path: Path, text: str | bytes, sep: str, table: str) -> list[int] | None:
    """:func:`_record_lines` for text without quotes or carriage returns: every line is one record, its fields
    counted column-wise on the UTF-8 bytes (``None`` for a blank header, or a line too long for the csv module's
    field limit: the csv module answers those)."""
    count = _plain_line_count(path, text.encode("utf-8") if isinstance(text, str) else text, sep, table)
    return None if count is None else list(range(2, count + 1))


def _plain_line_count(path: Path, utf8: bytes, sep: str, table: str) -> int | None:
    """The number of lines (the header's too) of :func:`_plain_record_lines`, or ``None``."""
    data = np.frombuffer(utf8, dtype=np.uint8)
    if data.size == 0:
        return 0
    breaks = np.flatnonzero(data == ord("\n"))
    ends = breaks if utf8.endswith(b"\n") else np.append(breaks, data.size)
    starts = np.concatenate(([0], ends[:-1] + 1))
    lengths = ends - starts
    if lengths[0] == 0 or int(lengths.max()) >= pycsv.field_size_limit():
        return None
    seps = np.flatnonzero(data == ord(sep))
    fields = np.searchsorted(seps, ends) - np.searchsorted(seps, starts) + 1
    width = int(fields[0])
    for i in np.flatnonzero((fields[1:] != width) & (lengths[1:] > 0)).tolist():
        line = _text_line(data, int(starts[i + 1]), int(ends[i + 1]))
        if any(f.strip() for f in line.split(sep)):
            where = Problem(str(path), table, i + 2, None, "").where()
            raise FileFormatError(
                f"{where}: {int(fields[i + 1])} fields, but the header has {width} (fields are separated by {sep!r})"
            )
    return int(ends.size)


def _text_line(data: np.ndarray, start: int, end: int) -> str:
    """One line of UTF-8 bytes as text."""
    return data[start:end].tobytes().decode("utf-8")


def _quoted_record_lines(path: Path, text: str, sep: str, table: str) -> list[int]:
    """:func:`_record_lines` by the csv module, for text whose quoted fields may span lines."""
    reader = pycsv.reader(io.StringIO(text, newline=""), delimiter=sep)
    starts: list[int] = []
    try:
        header = next(reader)
        end = reader.line_num
        for fields in reader:
            starts.append(end + 1)
            end = reader.line_num
            if fields and len(fields) != len(header) and any(f.strip() for f in fields):
                where = Problem(str(path), table, starts[-1], None, "").where()
                raise FileFormatError(
                    f"{where}: {len(fields)} fields, but the header has {len(header)} (fields are separated by {sep!r})"
                )
    except pycsv.Error as exc:
        where = Problem(str(path), table, reader.line_num, None, "").where()
        raise FileFormatError(f"{where}: {exc}") from exc
    except StopIteration:
        return []
    return starts


def _read_one(path: Path, dialect: str = "auto", name: str | None = None) -> RawTable:
    if dialect not in DIALECTS:
        raise FileFormatError(f"unknown CSV dialect {dialect!r}; use one of: {', '.join(DIALECTS)}")
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise FileFormatError(f"{path}: cannot read: {exc.strerror}") from exc
    if _binary(data[:4096]):
        raise FileFormatError(f"{path}: binary data, not CSV text")
    text, _encoding = _decode(path, data, dialect, name or path.stem)
    newline = text.find("\n")
    first = text if newline < 0 else text[:newline]  # not split: that would copy the whole text
    if dialect == "ru":
        sep = ";"
    elif dialect == "utf8":
        sep = ","
    else:
        sep = ";" if first.count(";") > first.count(",") else ","
    decimal_comma = sep == ";"
    # the bytes as read when they are the UTF-8 text (no BOM): not encoded again for polars
    utf8 = data if _encoding == "utf-8" and not data.startswith(b"\xef\xbb\xbf") else text.encode("utf-8")
    del data
    lines = _record_lines(path, text, sep, name or path.stem, utf8)
    del text
    try:
        df = pl.read_csv(
            utf8,
            separator=sep,
            infer_schema=False,
            encoding="utf8",
            raise_if_empty=False,
            truncate_ragged_lines=False,
        )
    except (pl.exceptions.PolarsError, OSError) as exc:
        raise FileFormatError(f"{path}: cannot read as CSV: {str(exc).splitlines()[0]}") from exc
    df = df.rename({c: c.lstrip("\ufeff").strip() for c in df.columns})
    df = restore_frame(df, [c for c, t in df.schema.items() if t == pl.String])  # text neutralised on export
    if lines is not None and len(lines) == df.height:  # rows named by the line they start on (text spanning lines)
        df = df.with_columns(pl.Series(ROW, lines, dtype=pl.Int64))
    else:  # header is line 1, data starts at line 2
        df = df.with_row_index(ROW, offset=2).with_columns(pl.col(ROW).cast(pl.Int64))
    cells = [c for c in df.columns if c != ROW]
    if cells:  # blank lines (a trailing newline too) are skipped, as blank rows of a sheet
        df = _without_blank_rows(df, cells)
    table = name or path.stem
    return RawTable(table, df, str(path), table, decimal_comma=decimal_comma)


def _blank(c: str) -> pl.Expr:
    return pl.col(c).is_null() | (pl.col(c).str.strip_chars() == "")


def _without_blank_rows(df: pl.DataFrame, cells: list[str]) -> pl.DataFrame:
    """``df`` less its rows whose every cell is empty or blank; the whole test runs only on rows whose
    first cell is (a row with a value in its first cell is not blank)."""
    if not df.select(_blank(cells[0]).any()).item():
        return df
    return df.filter(~pl.all_horizontal([_blank(c) for c in cells]))


def _csv_files(folder: Path) -> list[tuple[Path, str]]:
    """``(file, record type)`` of every CSV file of a folder; ``Countries.CSV`` is ``countries``."""
    known = {n.lower(): n for n in TABLE_NAMES}
    found: dict[str, Path] = {}
    out: list[tuple[Path, str]] = []
    for f in sorted(folder.iterdir()):
        if not f.is_file() or f.suffix.lower() != ".csv" or f.name.startswith((".", "~$")):
            continue
        name = known.get(f.stem.lower(), f.stem)
        if name.lower() in found:
            raise FileFormatError(
                f"{folder}: {found[name.lower()].name} and {f.name} are both the {name} table; keep one of them"
            )
        found[name.lower()] = f
        out.append((f, name))
    return out


def read_csv(path: Path, dialect: str = "auto") -> list[RawTable]:
    """Every ``*.csv`` in a folder (or one file), named by its stem (any letter case)."""
    if path.is_dir():
        files = _csv_files(path)
        if not files:
            raise FileFormatError(f"{path}: no .csv files in this folder")
        return [_read_one(f, dialect, name) for f, name in files]
    known = {n.lower(): n for n in TABLE_NAMES}
    return [_read_one(path, dialect, known.get(path.stem.lower(), path.stem))]


def write_csv(ds: Dataset, folder: Path) -> None:
    """One ``<table>.csv`` per record type (empty tables get a header line; text that a spreadsheet would run as a
    formula gets a leading apostrophe, removed again on reading: :mod:`importsub.io.cells`)."""
    folder.mkdir(parents=True, exist_ok=True)
    for name in TABLE_NAMES:
        df = ds.canonical(name)
        neutral_frame(df).write_csv(folder / f"{name}.csv", date_format="%Y-%m-%d")
