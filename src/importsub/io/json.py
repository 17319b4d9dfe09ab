"""One JSON document: ``{"format": "importsub", "name": ..., "tables": {table: [record, ...]}}``."""

from __future__ import annotations

import json
import math
from datetime import date
from pathlib import Path
from typing import Any

import polars as pl

from importsub.model.dataset import Dataset
from importsub.model.errors import FileFormatError
from importsub.model.schema import TABLE_NAMES
from importsub.model.validate import ROW, RawTable, cell_text

FORMAT_TAG = "importsub"
FORMAT_VERSION = 1


def read_json(path: Path) -> list[RawTable]:
    try:
        text = path.read_bytes().decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise FileFormatError(f"{path}: not valid UTF-8 text (byte {exc.start})") from exc
    try:
        doc = json.loads(text)
    except json.JSONDecodeError as exc:
        raise FileFormatError(f"{path}: not valid JSON: {exc.msg} at line {exc.lineno}, column {exc.colno}") from exc
    if not isinstance(doc, dict) or not isinstance(doc.get("tables"), dict):
        raise FileFormatError(f'{path}: expected an object with "tables": {{record type: [records]}}')
    raws: list[RawTable] = []
    for name, records in doc["tables"].items():
        if not isinstance(records, list) or not all(isinstance(r, dict) for r in records):
            raise FileFormatError(f"{path}: tables.{name} must be a list of objects")
        if not records:
            continue  # an empty table: nothing to type
        columns: list[str] = []
        for r in records:
            for k in r:
                if k not in columns:
                    columns.append(k)
        data = {c: [cell_text(r.get(c)) for r in records] for c in columns}
        df = pl.DataFrame(data, schema={c: pl.String() for c in columns})
        df = df.with_columns(pl.Series(ROW, range(1, len(records) + 1), dtype=pl.Int64))
        raws.append(RawTable(str(name), df, str(path), str(name)))
    return raws


def _value(v: Any) -> Any:
    if isinstance(v, date):
        return v.isoformat()
    if isinstance(v, float) and not math.isfinite(v):
        return None
    return v


def write_json(ds: Dataset, path: Path) -> None:
    doc = {
        "format": FORMAT_TAG,
        "format_version": FORMAT_VERSION,
        "name": ds.name,
        "tables": {
            name: [
                {k: _value(v) for k, v in row.items() if v is not None}
                for row in ds.canonical(name).iter_rows(named=True)
            ]
            for name in TABLE_NAMES
        },
    }
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(doc, ensure_ascii=False, indent=1), encoding="utf-8")
