"""One JSON document: ``{"format": "importsub", "name": ..., "tables": {table: [record, ...]}}``."""

from __future__ import annotations

import json
import math
from datetime import date
from pathlib import Path
from typing import Any

import polars as pl

from importsub.model.dataset import Dataset
from importsub.model.errors import FileFormatError, Problem, ValidationError
from importsub.model.messages import problem, render_why
from importsub.model.schema import TABLE_NAMES, TABLES_BY_NAME, Field
from importsub.model.validate import MAX_PROBLEMS, ROW, RawTable, cell_text
from importsub.model.words import N_

FORMAT_TAG = "importsub"
FORMAT_VERSION = 1


def read_json(path: Path) -> list[RawTable]:
    try:
        text = path.read_bytes().decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise FileFormatError(f"{path}: not valid UTF-8 text (byte {exc.start})") from exc
    except OSError as exc:
        raise FileFormatError(f"{path}: cannot read: {exc.strerror}") from exc
    try:
        doc = json.loads(text)
    except json.JSONDecodeError as exc:
        raise FileFormatError(f"{path}: not valid JSON: {exc.msg} at line {exc.lineno}, column {exc.colno}") from exc
    except RecursionError:
        raise FileFormatError(f"{path}: JSON nested too deeply (a record is one level of fields)") from None
    if not isinstance(doc, dict) or not isinstance(doc.get("tables"), dict):
        raise FileFormatError(f'{path}: expected an object with "tables": {{record type: [records]}}')
    raws: list[RawTable] = []
    problems: list[Problem] = []
    for name, records in doc["tables"].items():
        if not isinstance(records, list):
            raise FileFormatError(f"{path}: tables.{name} must be a list of objects")
        for i, r in enumerate(records, start=1):
            if not isinstance(r, dict):
                raise FileFormatError(f"{path}: tables.{name}[{i}] (record {i}) must be an object, not {_kind(r)}")
        if not records:
            continue  # an empty table: nothing to type
        rt = TABLES_BY_NAME.get(str(name))
        columns: list[str] = []
        for r in records:
            for k in r:
                if k not in columns:
                    columns.append(k)
        if rt is not None:  # a record names its own fields: a required one no record has is missing in each
            columns += [f.name for f in rt.fields if f.required and f.name not in columns]
        data: dict[str, list[str | None]] = {}
        for c in columns:
            f = None if rt is None or c not in rt.field_names else rt.field(c)
            cells: list[str | None] = []
            for i, r in enumerate(records, start=1):
                v = r.get(c)
                why = _refused(v, f)
                if why is not None:
                    problems.append(problem(str(path), str(name), i, c, why[0], **why[1]))
                    cells.append(None)
                else:
                    cells.append(cell_text(v))
            data[c] = cells
        for label in (str(name), *columns):
            if bad_name := _refused(label, None):
                raise FileFormatError(f"{path}: tables.{name!a}: a name {render_why(*bad_name, 'en')}")
        df = pl.DataFrame(data, schema={c: pl.String() for c in columns})
        df = df.with_columns(pl.Series(ROW, range(1, len(records) + 1), dtype=pl.Int64))
        raws.append(RawTable(str(name), df, str(path), str(name)))
    if problems:
        raise ValidationError(problems[:MAX_PROBLEMS], len(problems))
    return raws


def _kind(v: object) -> str:
    """What a JSON value is, in words of the catalogue (validation messages name it in the page language)."""
    if isinstance(v, bool):
        return N_("a boolean")
    if isinstance(v, dict):
        return N_("an object")
    if isinstance(v, list):
        return N_("a list")
    if isinstance(v, str):
        return N_("text")
    if v is None:
        return "null"
    return N_("a number")


def _refused(v: object, f: Field | None) -> tuple[str, dict[str, Any]] | None:
    """Why a JSON value cannot be a cell of field ``f``, as a message id and its parameters (None: it can).

    Lists and objects are never cells; a text field takes text or a number,
    a number field a number or text, a boolean field a boolean (or text);
    text must be encodable (no lone surrogates such as ``\\ud800``).
    """
    if v is None:
        return None
    if isinstance(v, dict | list):
        return "json_not_value", {"kind": _kind(v)}
    if isinstance(v, str):
        bad = next((ch for ch in v if 0xD800 <= ord(ch) <= 0xDFFF), None)
        if bad is not None:
            return "json_surrogate", {"char": f"U+{ord(bad):04X}"}
        return None
    if f is None:
        return None
    if isinstance(v, bool):
        return None if f.type == "bool" else ("json_not_type", {"kind": _kind(v), "type": _WANT[f.type]})
    if f.type == "bool":
        return None if v in (0, 1) else ("not_type", {"value": str(v), "type": _WANT["bool"]})
    if f.type == "date":
        return "json_not_date", {"kind": _kind(v)}
    return None


_WANT = {
    "str": N_("text"),
    "int": N_("a whole number"),
    "float": N_("a number"),
    "bool": N_("true or false"),
    "date": N_("a date"),
}


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
