"""PostgreSQL's binary COPY format, encoded column-wise with numpy (no Python loop over rows).

A binary COPY stream is a 19-byte header, then per row a 16-bit field count
and per field a 32-bit length (-1 for NULL) followed by the value in the
type's binary send format, then a 16-bit -1 trailer (PostgreSQL manual, COPY,
"Binary Format").  Values, all big-endian:

======================  ==============================================
``integer``/``bigint``  4 / 8 bytes two's complement
``double precision``    8 bytes IEEE 754
``boolean``             1 byte, 0 or 1
``date``                4 bytes, days since 2000-01-01
``text``                the UTF-8 bytes (the connection's client encoding must be UTF8)
======================  ==============================================

:func:`encode_rows` lays a whole batch out at once: the size of every field
and row is known from the column lengths, so each column is scattered into
its place in one fancy-indexed assignment.  The server then parses no text
(a CSV COPY spends about a quarter of its time turning text into numbers);
the table's column types are looked up first (:func:`column_types`), so a
frame whose types do not match the table is refused before anything is sent.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
import polars as pl

from importsub.model.errors import ImportsubError

HEADER = b"PGCOPY\n\xff\r\n\x00" + b"\x00\x00\x00\x00" + b"\x00\x00\x00\x00"
"""Signature, flags (no OIDs), header-extension length 0."""
TRAILER = b"\xff\xff"

# days from 1970-01-01 (polars/arrow dates) to 2000-01-01 (PostgreSQL's epoch)
_PG_EPOCH_DAYS = 10_957

#: PostgreSQL type -> (polars dtypes accepted, big-endian numpy dtype of the value; None for text)
_FIXED: dict[str, tuple[tuple[type[pl.DataType], ...], str]] = {
    "integer": ((pl.Int64, pl.Int32), ">i4"),
    "bigint": ((pl.Int64, pl.Int32), ">i8"),
    "double precision": ((pl.Float64, pl.Float32), ">f8"),
    "boolean": ((pl.Boolean,), "u1"),
    "date": ((pl.Date,), ">i4"),
}
TEXT_TYPES = ("text", "character varying")


def column_types(conn: object, table: str) -> dict[str, str]:
    """Column name -> PostgreSQL type name (``format_type``) of ``table`` (a quoted name), on a
    SQLAlchemy connection."""
    import sqlalchemy as sa

    rows = conn.execute(  # type: ignore[attr-defined]
        sa.text(
            "SELECT attname, format_type(atttypid, NULL) FROM pg_attribute "
            "WHERE attrelid = CAST(:t AS regclass) AND attnum > 0 AND NOT attisdropped"
        ),
        {"t": table},
    ).all()
    return {str(r[0]): str(r[1]) for r in rows}


def check_types(df: pl.DataFrame, types: Mapping[str, str], table: str) -> None:
    """Every column of ``df`` has a column of ``table`` whose type it can be sent as, or an error naming it."""
    for name, dtype in df.schema.items():
        pg = types.get(name)
        if pg is None:
            raise ImportsubError(f"binary COPY into {table}: the table has no column {name!r}")
        if pg in TEXT_TYPES:
            ok = dtype == pl.String
        elif pg in _FIXED:
            ok = isinstance(dtype, _FIXED[pg][0])
        else:
            raise ImportsubError(f"binary COPY into {table}: column {name!r} has type {pg}, which is not encoded")
        if not ok:
            raise ImportsubError(f"binary COPY into {table}: column {name!r} is {dtype}, the table's is {pg}")


#: at most this share of a batch's rows may have a layout of their own for :func:`encode_rows` to group them
GROUPED_LAYOUTS = 1 / 64


@dataclass(frozen=True)
class _Column:
    """One column of a batch: each row's length word (-1 for NULL) and its value bytes."""

    prefix: np.ndarray  # int64 per row: the length word
    lengths: np.ndarray  # int64 per row: bytes of the value (0 for NULL)
    values: np.ndarray | None  # fixed width: n x width bytes; text: the data buffer
    offsets: np.ndarray | None = None  # text: n + 1 offsets into ``values``
    null: np.ndarray | None = None  # True where NULL (None: no NULL)

    @property
    def fixed(self) -> bool:
        return self.offsets is None


def _columns(df: pl.DataFrame, types: Mapping[str, str]) -> list[_Column]:
    n = df.height
    out: list[_Column] = []
    for name, dtype in df.schema.items():
        s = df.get_column(name)
        null = s.is_null().to_numpy() if s.null_count() else None
        if dtype == pl.String:
            arrow = s.rechunk().to_arrow(compat_level=pl.CompatLevel.oldest())  # large_string: int64 offsets
            offsets = np.frombuffer(arrow.buffers()[1], dtype=np.int64)[arrow.offset : arrow.offset + n + 1]
            lengths = np.diff(offsets)
            if null is not None:  # a NULL slot may still span bytes (Arrow leaves them undefined): none are sent
                lengths = np.where(null, 0, lengths)
            buf = arrow.buffers()[2]
            data = np.frombuffer(buf, dtype=np.uint8) if buf is not None else np.empty(0, np.uint8)
            out.append(_Column(lengths if null is None else np.where(null, -1, lengths), lengths, data, offsets, null))
            continue
        be = _FIXED[types[name]][1]
        if dtype == pl.Date:
            raw = s.cast(pl.Int32).fill_null(0).to_numpy().astype(np.int64) - _PG_EPOCH_DAYS
        elif dtype == pl.Boolean:
            raw = s.fill_null(False).cast(pl.UInt8).to_numpy()
        else:
            raw = s.fill_null(0).to_numpy()
        if be == ">i4" and dtype != pl.Date and raw.size and (raw.min() < -(2**31) or raw.max() >= 2**31):
            raise ImportsubError(f"binary COPY: column {name!r} holds a number beyond the range of an integer column")
        values = raw.astype(be).view(np.uint8).reshape(n, -1)
        width = values.shape[1]
        if null is None:
            out.append(_Column(np.full(n, width, dtype=np.int64), np.full(n, width, dtype=np.int64), values))
        else:
            out.append(_Column(np.where(null, -1, width), np.where(null, 0, width), values, None, null))
    return out


def encode_rows(df: pl.DataFrame, types: Mapping[str, str], *, grouped: bool | None = None) -> bytes:
    """The rows of ``df`` (columns in COPY order) in binary COPY format, without header or trailer.

    ``types`` maps each column to its PostgreSQL type (:func:`column_types`; checked by
    :func:`check_types`).  Integers out of range of an ``integer`` column raise.

    Rows that share a layout (the length of every field) are laid out together as one numpy
    structured array, field by field; their order in the stream then follows the layouts (a table
    has no order).  A batch with many layouts (more than :data:`GROUPED_LAYOUTS` of its rows)
    scatters every field into place instead.  ``grouped`` forces one way (tests).
    """
    n = df.height
    if n == 0:
        return b""
    cols = _columns(df, types)
    if grouped is not False:
        layout = np.stack([c.prefix for c in cols], axis=1)
        order = np.lexsort(layout.T[::-1])
        ranked = layout[order]
        starts = np.flatnonzero(np.concatenate(([True], (ranked[1:] != ranked[:-1]).any(axis=1))))
        if grouped or starts.size <= max(1, int(n * GROUPED_LAYOUTS)):
            bounds = np.append(starts, n)
            return b"".join(
                _group(cols, order[a:b], ranked[a], contiguous=bounds.size == 2)
                for a, b in zip(bounds[:-1].tolist(), bounds[1:].tolist(), strict=True)
            )
    return _scattered(cols, n)


def _group(cols: list[_Column], rows: np.ndarray, prefixes: np.ndarray, *, contiguous: bool) -> bytes:
    """Rows ``rows`` (all of one layout: length words ``prefixes``) as one structured array."""
    m = rows.size
    fields: list[tuple[str, str] | tuple[str, str, tuple[int]]] = [("count", ">i2")]
    for j, length in enumerate(prefixes.tolist()):
        fields.append((f"l{j}", ">i4"))
        if length > 0:
            fields.append((f"v{j}", "u1", (length,)))
    block = np.empty(m, dtype=np.dtype(fields))
    block["count"] = len(cols)
    for j, (c, length) in enumerate(zip(cols, prefixes.tolist(), strict=True)):
        block[f"l{j}"] = length
        if length <= 0:
            continue
        if c.fixed:
            assert c.values is not None
            block[f"v{j}"] = c.values if contiguous else c.values[rows]
        else:
            assert c.values is not None
            assert c.offsets is not None
            if contiguous:  # every row of the batch, all non-NULL, in order: their bytes are one run
                block[f"v{j}"] = c.values[c.offsets[0] : c.offsets[-1]].reshape(m, length)
            else:
                block[f"v{j}"] = c.values[c.offsets[rows][:, None] + np.arange(length)]
    return block.tobytes()


def _scatter(out: np.ndarray, at: np.ndarray, values: np.ndarray) -> None:
    """``out[at[i] + j] = values[i, j]`` for every row ``i`` and byte ``j`` of ``values`` (n x width bytes)."""
    width = values.shape[1]
    out[at[:, None] + np.arange(width)] = values


def _scattered(cols: list[_Column], n: int) -> bytes:
    """Rows in their order, every field scattered to its place (its offset known from the lengths)."""
    sizes = 2 + sum(4 + c.lengths for c in cols)
    ends = np.cumsum(sizes)
    starts = ends - sizes
    out = np.empty(int(ends[-1]), dtype=np.uint8)
    _scatter(out, starts, np.array([len(cols)], dtype=">i2").view(np.uint8).reshape(1, 2).repeat(n, axis=0))
    at = starts + 2
    for c in cols:
        _scatter(out, at, c.prefix.astype(">i4").view(np.uint8).reshape(n, 4))
        at = at + 4
        assert c.values is not None
        if c.fixed:
            keep = slice(None) if c.null is None else ~c.null
            _scatter(out, at[keep], c.values[keep])
        else:
            assert c.offsets is not None
            total = int(c.lengths.sum())
            if total:
                # byte k of row i comes from offsets[i] + k and goes to at[i] + k: one index per byte
                k = np.arange(total) - np.repeat(np.cumsum(c.lengths) - c.lengths, c.lengths)
                out[np.repeat(at, c.lengths) + k] = c.values[np.repeat(c.offsets[:-1], c.lengths) + k]
        at = at + c.lengths
    return out.tobytes()


__all__ = ["HEADER", "TRAILER", "check_types", "column_types", "encode_rows"]
