"""Random mutations of the demo in every format, against the readers and the validator (issue 16).

The demo (``importsub.demo.load()``) is held in memory as records; each case
mutates a copy and writes only what its format needs (the mutated CSV files
of a folder, the whole JSON document, the mutated sheets of the workbook — the
other parts are the writer's own bytes).  Whether a mutation breaks a
documented rule is decided here, from its kind and the record schema
(:mod:`importsub.model.schema`), never by asking the validator:

* a breaking mutation must be refused with a problem naming its file, sheet,
  row and column (a reference broken by renaming an id: one of the rows that
  refer to it; an added BOM cycle: a real cycle of the mutated BOM, at the row
  of one of its lines), or — where the format cannot hold the damage in one
  cell (a truncated file, a NUL in workbook XML) — a file error naming the
  file and the sheet or line;
* a file whose mutations break nothing must read back as exactly the mutated
  records (documented defaults in emptied optional cells);
* nothing else may escape the reader (no traceback).

Validating the demo costs about 0.15 s of CPU, so cell mutations are applied
several to a file (each on rows no other mutation of the file touches, at
most one BOM cycle per file), and every one of them must be named; mutations
that stop reading (truncation, an unknown sheet or column, damage a format
cannot place in a cell) have a file each.  The split (seed 16): CSV 1,155 mutations in 95 files,
JSON 857 in 70, xlsx 161 in 18 (a workbook costs 0.5 s to read) — 2,173 in all, about 58 s of CPU
here (``/usr/bin/time -v python -m pytest -q tests/test_mutations.py``).
"""

from __future__ import annotations

import csv
import io
import itertools
import json
import math
import random
import shutil
import zipfile
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

import polars as pl
import pytest
from openpyxl.utils import get_column_letter

from importsub.demo import load
from importsub.io import read_path, write_path
from importsub.io.xlsx import note_cell, unit_cell
from importsub.model.dataset import Dataset, polars_schema
from importsub.model.errors import FileFormatError, ValidationError
from importsub.model.schema import TABLES, TABLES_BY_NAME, Field

SEED = 16
#: files per format and cell mutations per file: (refusing files, accepted files, mutations per file, file-level cases)
PLAN = {"csv": (40, 15, 40, 40), "json": (30, 10, 40, 30), "xlsx": (6, 3, 40, 9)}

Records = dict[str, list[dict[str, Any]]]
Place = tuple[str, int, str]  # table, record index, column

# fields that cross-record rules read (value added, shares summing to 1, hosted project outputs): not neutral
_CROSS = {
    ("production", "unit_value"),
    ("projects", "host_site"),
    ("parts", "unit_value"),
    ("bom", "quantity"),
    ("supply_links", "share"),
}
_KEY_TABLES = ("countries", "organizations", "sites", "parts", "projects", "scenarios")
_TARGET_KIND = {"countries": "country", "organizations": "organization", "sites": "site", "parts": "part"}
_TEXTS = ('Ёлка №5; «кавычки», "quoted"', "007", "=SUM(A1:A2)", "NA", "1e5", "true", "Тольятти — завод", "a,b;c")


@dataclass
class Mutation:
    kind: str
    table: str
    index: int = -1
    column: str | None = None
    breaks: bool = True
    #: a renamed id: the places that must name one of its referrers
    renamed: tuple[str, str] | None = None
    cycle: bool = False


@dataclass
class Case:
    records: Records
    mutations: list[Mutation] = field(default_factory=list)
    touched: set[tuple[str, int]] = field(default_factory=set)
    #: file-level damage applied after writing: ("truncate", table, where) etc.
    damage: tuple[str, str, float] | None = None
    extra_column: tuple[str, str] | None = None
    extra_table: str | None = None
    ascii_json: bool = False


# ---------------------------------------------------------------- mutations


def _fields(table: str, want: Callable[[Field], bool]) -> list[Field]:
    return [f for f in TABLES_BY_NAME[table].fields if want(f)]


def _neutral(table: str, f: Field) -> bool:
    """Not a key, not part of a reference, read by no cross-record rule."""
    rt = TABLES_BY_NAME[table]
    in_ref = any(f.name in ref.fields for ref in rt.refs)
    return f.name not in rt.key and f.ref is None and not in_ref and (table, f.name) not in _CROSS


def _free_row(case: Case, rng: random.Random, table: str) -> int | None:
    rows = [i for i in range(len(case.records[table])) if (table, i) not in case.touched]
    return rng.choice(rows) if rows else None


def _in_bounds(f: Field, rng: random.Random) -> float | int:
    lo = f.minimum if f.minimum is not None else (0.0 if f.positive else -1000.0)
    hi = f.maximum if f.maximum is not None else 1e6
    if f.type == "int":
        return rng.randint(math.ceil(lo), int(min(hi, lo + 300)))
    v = round(rng.uniform(lo, hi), 6)
    return v if not (f.positive and v <= 0) else hi / 2


def _neutral_edit(case: Case, rng: random.Random) -> None:
    """A change that breaks no rule: swap two rows, empty an optional cell, new text, a number in bounds."""
    table = rng.choice([t.name for t in TABLES if case.records[t.name]])
    kind = rng.choice(("swap", "blank", "text", "number", "choice"))
    rows = case.records[table]
    if kind == "swap":  # two rows no other mutation names by position
        free = [k for k in range(len(rows)) if (table, k) not in case.touched]
        if len(free) < 2:
            return
        i, j = rng.sample(free, 2)
        rows[i], rows[j] = rows[j], rows[i]
        case.touched |= {(table, i), (table, j)}
        case.mutations.append(Mutation("swap", table, breaks=False))
        return
    want = {
        "blank": lambda f: not f.required and _neutral(table, f),
        "text": lambda f: f.type == "str" and _neutral(table, f) and f.choices is None and f.pattern is None,
        "number": lambda f: f.type in ("int", "float") and _neutral(table, f),
        "choice": lambda f: f.choices is not None and _neutral(table, f),
    }[kind]
    fields = _fields(table, want)
    i = _free_row(case, rng, table)
    if not fields or i is None:
        return
    f = rng.choice(fields)
    if kind == "blank":
        value: Any = None
    elif kind == "text":
        value = rng.choice(_TEXTS) + ("\nвторая строка" if f.multiline and rng.random() < 0.3 else "")
    elif kind == "number":
        value = _in_bounds(f, rng)
    else:
        value = rng.choice(f.choices or ())
    rows[i][f.name] = value
    case.touched.add((table, i))
    case.mutations.append(Mutation(kind, table, i, f.name, breaks=False))


_BAD_VALUES: dict[str, Callable[[Field, random.Random], Any]] = {
    "delete": lambda f, rng: None,
    "text-in-number": lambda f, rng: rng.choice(("12 units", "abc", "1.2.3", "—")),
    "date-trailing-text": lambda f, rng: rng.choice(("2025-09-30garbage", "2025-09-30T25:61:00", "30.09.2025")),
    "huge": lambda f, rng: 1e308,
    "not-finite": lambda f, rng: rng.choice((math.nan, math.inf, -math.inf)),
    "negative": lambda f, rng: -1 if f.type == "int" else -1.5,
    "dangling": lambda f, rng: f"NO-SUCH-{rng.randrange(10**6)}",
    "nul": lambda f, rng: "ab\x00cd",
    "surrogate": lambda f, rng: "ab\ud800cd",
}
_BAD_FIELDS: dict[str, Callable[[Field], bool]] = {
    "delete": lambda f: f.required,
    "text-in-number": lambda f: f.type in ("int", "float", "bool"),
    "date-trailing-text": lambda f: f.type == "date",
    "huge": lambda f: f.type in ("int", "float"),
    "not-finite": lambda f: f.type == "float",
    "negative": lambda f: f.type in ("int", "float") and (f.positive or (f.minimum is not None and f.minimum >= 0)),
    "dangling": lambda f: f.ref is not None or f.name == "target",
    "nul": lambda f: f.type == "str",
    "surrogate": lambda f: f.type == "str",
}


def _bad_cell(case: Case, rng: random.Random, kind: str) -> None:
    tables = [t.name for t in TABLES if case.records[t.name] and _fields(t.name, _BAD_FIELDS[kind])]
    table = rng.choice(tables)
    i = _free_row(case, rng, table)
    if i is None:
        return
    f = rng.choice(_fields(table, _BAD_FIELDS[kind]))
    case.records[table][i][f.name] = _BAD_VALUES[kind](f, rng)
    case.touched.add((table, i))
    case.mutations.append(Mutation(kind, table, i, f.name))


def _duplicate_key(case: Case, rng: random.Random) -> None:
    table = rng.choice([t.name for t in TABLES if case.records[t.name]])
    i = _free_row(case, rng, table)
    if i is None:
        return
    rows = case.records[table]
    rows.append(dict(rows[i]))
    case.touched |= {(table, i), (table, len(rows) - 1)}
    case.mutations.append(Mutation("duplicate-key", table, len(rows) - 1, ",".join(TABLES_BY_NAME[table].key)))


def _rename(case: Case, rng: random.Random) -> None:
    table = rng.choice(_KEY_TABLES)
    i = _free_row(case, rng, table)
    if i is None:
        return
    key = TABLES_BY_NAME[table].key[0]
    old = case.records[table][i][key]
    ids = {r[key] for r in case.records[table]}
    new = next(a + b for a in "QXZ" for b in "QXZ" if a + b not in ids) if table == "countries" else f"{old}-RENAMED"
    case.records[table][i][key] = new
    case.touched.add((table, i))
    case.mutations.append(Mutation("rename", table, i, key, renamed=(old, new)))


def _add_cycle(case: Case, rng: random.Random) -> None:
    """A BOM self-loop, or a 2–5-node cycle: an existing chain of BOM lines closed by one new line, or new lines
    through parts that keep their other children."""
    bom = case.records["bom"]
    parts = [p["id"] for p in case.records["parts"]]
    edges = {(b["parent"], b["child"]) for b in bom}
    size = rng.choice((1, 2, 3, 4, 5))
    chain: list[str] = []
    if size > 1 and rng.random() < 0.5:  # follow existing lines down from a random part
        children: dict[str, list[int]] = {}
        for k, b in enumerate(bom):
            if ("bom", k) not in case.touched and isinstance(b["parent"], str) and isinstance(b["child"], str):
                children.setdefault(b["parent"], []).append(k)
        node = rng.choice(sorted(children))
        chain, used = [node], []
        while len(chain) < size and children.get(node):
            k = rng.choice(children[node])
            node = bom[k]["child"]
            if node in chain:
                break
            chain.append(node)
            used.append(k)
        if len(chain) == size:
            case.touched |= {("bom", k) for k in used}
            chain = [chain[-1], chain[0]]  # the one new line closes the chain
        else:
            chain = []
    if not chain:
        nodes = rng.sample(parts, size)
        chain = [*nodes, nodes[0]]
    on_cycle = set(chain)
    # its parts keep their ids: an unknown part in the line that closes the cycle is named in the same cell
    case.touched |= {("parts", k) for k, p in enumerate(case.records["parts"]) if p["id"] in on_cycle}
    for a, b in itertools.pairwise(chain):
        if (a, b) in edges:
            continue
        bom.append({"parent": a, "child": b, "quantity": 1.0, "source": "mutation"})
        edges.add((a, b))
        case.touched.add(("bom", len(bom) - 1))
    case.mutations.append(Mutation("self-loop" if size == 1 else f"cycle-{size}", "bom", column="child", cycle=True))


def _cell_case(base: Records, rng: random.Random, fmt: str, breaking: int) -> Case:
    case = Case({t: [dict(r) for r in rows] for t, rows in base.items()})
    for _ in range(rng.randint(0, 2)):  # rows out of order first: the other mutations name rows by position
        table = rng.choice([t for t in base if len(base[t]) > 1])
        rows = case.records[table]
        i, j = rng.sample(range(len(rows)), 2)
        rows[i], rows[j] = rows[j], rows[i]
    # a lone surrogate stops the JSON reader, the CSV decoder and the workbook XML; a NUL the XML: a file each
    kinds = [k for k in _BAD_VALUES if k != "surrogate" and not (fmt == "xlsx" and k == "nul")]
    kinds += ["duplicate-key", "rename", "cycle"]
    chosen = [rng.choice(kinds) for _ in range(breaking)]
    if "cycle" in chosen:  # first, and one: cycles added to one file could merge into one component
        _add_cycle(case, rng)
    for kind in chosen:
        if kind == "cycle":
            continue
        if kind == "duplicate-key":
            _duplicate_key(case, rng)
        elif kind == "rename":
            _rename(case, rng)
        else:
            _bad_cell(case, rng, kind)
    for _ in range(rng.randint(1, 4) if breaking else 16):
        _neutral_edit(case, rng)
    case.ascii_json = any(m.kind == "surrogate" for m in case.mutations)
    return case


def _file_case(base: Records, rng: random.Random, fmt: str) -> Case:
    """One mutation that stops reading: truncation, an unknown column or sheet, damage a cell cannot hold."""
    case = Case({t: [dict(r) for r in rows] for t, rows in base.items()})
    kinds = ["truncate", "unknown-column", "unknown-sheet"]
    kinds += {"csv": ["surrogate"], "xlsx": ["nul", "surrogate", "truncate-sheet"], "json": ["surrogate"]}[fmt]
    kind = rng.choice(kinds)
    table = rng.choice([t.name for t in TABLES if base[t.name]])
    if kind in ("nul", "surrogate"):
        _bad_cell(case, rng, kind)
        case.mutations[-1].kind = f"{kind}-file"
        case.ascii_json = True
    elif kind == "unknown-column":
        case.extra_column = (table, rng.choice(("colour", "Цвет", "capacity_2025")))
        case.mutations.append(Mutation(kind, table, -1, case.extra_column[1]))
    elif kind == "unknown-sheet":
        case.extra_table = rng.choice(("colours", "sites_old", "Поставки"))
        case.mutations.append(Mutation(kind, case.extra_table))
    else:
        i = rng.randrange(len(base[table]))
        case.damage = (kind, table, i + rng.random())
        case.mutations.append(Mutation(kind, table, i))
    return case


# ---------------------------------------------------------------- writers


def _row(fmt: str, index: int) -> int:
    """The row a user sees: CSV line (header 1), sheet row (header, units, notes above), JSON record (from 1)."""
    return {"csv": index + 2, "xlsx": index + 4, "json": index + 1}[fmt]


def _line(fmt: str, case: Case, table: str, index: int) -> int:
    """The row of record ``index`` as the file has it: a CSV line after the line breaks of earlier records' text."""
    if fmt != "csv":
        return _row(fmt, index)
    spans = sum(str(v).count("\n") for r in case.records[table][:index] for v in r.values() if isinstance(v, str))
    return _row(fmt, index) + spans


def _columns(case: Case, table: str) -> list[str]:
    names = list(TABLES_BY_NAME[table].field_names)
    if case.extra_column and case.extra_column[0] == table:
        names.append(case.extra_column[1])
    return names


def _csv_cell(v: Any) -> str:
    if v is None:
        return ""
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, float):
        return repr(v)
    if isinstance(v, date):
        return v.isoformat()
    return str(v)


def _csv_text(case: Case, table: str) -> str:
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    names = _columns(case, table)
    w.writerow(names)
    for r in case.records[table]:
        w.writerow([_csv_cell(r.get(n, "red" if n not in r else None)) for n in names])
    return buf.getvalue()


def _changed(case: Case, base: Records) -> set[str]:
    out = {t for t, rows in case.records.items() if rows != base[t]}
    if case.extra_column:
        out.add(case.extra_column[0])
    if case.damage:
        out.add(case.damage[1])
    return out


@dataclass
class Template:
    base: Records
    folder: Path
    csv_files: dict[str, bytes]
    xlsx_parts: dict[str, bytes]
    xlsx_infos: list[zipfile.ZipInfo]


def _write_csv(case: Case, t: Template, out: Path) -> Path:
    out.mkdir()
    for table, data in t.csv_files.items():
        (out / f"{table}.csv").write_bytes(data)
    for table in _changed(case, t.base):
        text = _csv_text(case, table)
        if case.damage and case.damage[1] == table:  # cut inside the first field of a line: a short line
            lines = text.split("\n")
            k = _row("csv", int(case.damage[2])) - 1
            first = lines[k].split(",", 1)[0]
            cut = 1 + int((case.damage[2] % 1) * max(1, len(first) - 1))
            text = "\n".join(lines[:k]) + "\n" + lines[k][:cut]
        (out / f"{table}.csv").write_bytes(text.encode("utf-8", "surrogatepass"))
    if case.extra_table:
        (out / f"{case.extra_table}.csv").write_text("id,name\nA,B\n", encoding="utf-8")
    return out


def _json_value(v: Any) -> Any:
    return v.isoformat() if isinstance(v, date) else v


def _write_json(case: Case, t: Template, out: Path) -> Path:
    tables: dict[str, list[dict[str, Any]]] = {
        table: [{k: _json_value(v) for k, v in r.items() if v is not None} for r in rows]
        for table, rows in case.records.items()
    }
    if case.extra_column:
        table, name = case.extra_column
        tables[table][0][name] = "red"
    if case.extra_table:
        tables[case.extra_table] = [{"id": "A", "name": "B"}]
    doc = {"format": "importsub", "format_version": 1, "name": "demo", "tables": tables}
    text = json.dumps(doc, ensure_ascii=case.ascii_json, indent=1)
    if case.damage:
        text = text[: int(len(text) * (case.damage[2] % 1) * 0.999)]
    path = out.with_suffix(".json")
    path.write_text(text, encoding="utf-8")
    return path


def _xml_text(s: str) -> str:
    """Text of an inline string; characters XML cannot hold as character references (which break the part)."""
    body = escape(s)
    if any((ord(ch) < 0x20 and ch not in "\t\n\r") or 0xD800 <= ord(ch) <= 0xDFFF for ch in body):
        body = "".join(
            f"&#x{ord(ch):X};" if (ord(ch) < 0x20 and ch not in "\t\n\r") or 0xD800 <= ord(ch) <= 0xDFFF else ch
            for ch in body
        )
    return f'<is><t xml:space="preserve">{body}</t></is>'


def _xml_cell(ref: str, v: Any) -> str:
    if isinstance(v, bool):
        return f'<c r="{ref}" t="b"><v>{int(v)}</v></c>'
    if isinstance(v, int | float) and math.isfinite(v):
        return f'<c r="{ref}"><v>{v!r}</v></c>'
    text = {math.inf: "inf", -math.inf: "-inf"}.get(v, "NaN") if isinstance(v, float) else _csv_cell(v)
    return f'<c r="{ref}" t="inlineStr">{_xml_text(text)}</c>'


def _sheet_xml(case: Case, table: str) -> bytes:
    names = _columns(case, table)
    fields = TABLES_BY_NAME[table]
    letters = [get_column_letter(k + 1) for k in range(len(names))]
    heads = [
        names,
        [unit_cell(fields.field(n)) if n in fields.field_names else None for n in names],
        [note_cell(fields.field(n)) if n in fields.field_names else None for n in names],
    ]
    rows = [*heads, *([r.get(n, "red") for n in names] for r in case.records[table])]
    parts = ['<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>']
    for k, values in enumerate(rows, start=1):
        cells = "".join(_xml_cell(f"{c}{k}", v) for c, v in zip(letters, values, strict=True) if v is not None)
        parts.append(f'<row r="{k}">{cells}</row>')
    parts.append("</sheetData></worksheet>")
    data = "".join(parts).encode("utf-8")
    if case.damage and case.damage[0] == "truncate-sheet" and case.damage[1] == table:
        data = data[: int(len(data) * (0.2 + 0.6 * (case.damage[2] % 1)))]
    return data


def _write_xlsx(case: Case, t: Template, out: Path) -> Path:
    path = out.with_suffix(".xlsx")
    parts = dict(t.xlsx_parts)
    for table in _changed(case, t.base):
        parts[f"xl/worksheets/sheet{[rt.name for rt in TABLES].index(table) + 2}.xml"] = _sheet_xml(case, table)
    if case.extra_table:  # a sheet renamed to a name that is no record type
        wb = parts["xl/workbook.xml"].decode()
        parts["xl/workbook.xml"] = wb.replace('name="capacity_pools"', f'name="{case.extra_table}"').encode()
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        for info in t.xlsx_infos:
            z.writestr(info.filename, parts[info.filename])
    if case.damage and case.damage[0] == "truncate":
        data = path.read_bytes()
        path.write_bytes(data[: int(len(data) * (case.damage[2] % 1) * 0.999)])
    return path


WRITERS = {"csv": _write_csv, "json": _write_json, "xlsx": _write_xlsx}


# ---------------------------------------------------------------- judging


def _file_of(fmt: str, path: Path, table: str) -> str:
    return str(path / f"{table}.csv") if fmt == "csv" else str(path)


def _referrers(case: Case, table: str, old: str) -> set[Place]:
    """Cells that refer to id ``old`` of ``table`` (single-field references of the schema, disruption targets)."""
    out: set[Place] = set()
    for rt in TABLES:
        for f in rt.fields:
            if f.ref == table:
                out |= {(rt.name, i, f.name) for i, r in enumerate(case.records[rt.name]) if r.get(f.name) == old}
    kind = _TARGET_KIND.get(table)
    for i, r in enumerate(case.records["disruptions"]):
        if kind is not None and r.get("target_kind") == kind and r.get("target") == old:
            out.add(("disruptions", i, "target"))
    return out


def _places(case: Case, m: Mutation) -> set[Place]:
    if m.renamed is not None:
        return _referrers(case, m.table, m.renamed[0])
    return {(m.table, m.index, m.column or "")}


def _cycle_named(exc: ValidationError, case: Case, fmt: str, path: Path) -> bool:
    """A problem names a real cycle of the mutated BOM, at the row of one of its lines."""
    rows: dict[tuple[str, str], int] = {}
    for k, b in enumerate(case.records["bom"]):
        rows.setdefault((b.get("parent"), b.get("child")), _line(fmt, case, "bom", k))  # type: ignore[arg-type]
    for p in exc.problems:
        if (p.file, p.sheet, p.column) != (_file_of(fmt, path, "bom"), "bom", "child"):
            continue
        if not p.message.startswith("BOM cycle: "):
            continue
        names = p.message.removeprefix("BOM cycle: ").split(" (rows")[0].split(" → ")
        pairs = list(itertools.pairwise(names))
        if names[0] == names[-1] and pairs and all(e in rows for e in pairs) and p.row in {rows[e] for e in pairs}:
            return True
    return False


def _named(exc: Exception, case: Case, m: Mutation, fmt: str, path: Path) -> bool:
    file = _file_of(fmt, path, m.table)
    if isinstance(exc, FileFormatError):  # damage a cell cannot hold: the file and its sheet or line
        msg = str(exc)
        if file not in msg:
            return False
        if fmt == "csv":
            line = _line(fmt, case, m.table, m.index)
            return f"line {line}" in msg or f"row {line}" in msg
        if fmt == "xlsx" and m.kind != "truncate":
            return f"sheet {m.table}" in msg
        return m.kind == "truncate"
    assert isinstance(exc, ValidationError)
    if m.cycle:
        return _cycle_named(exc, case, fmt, path)
    got = {(p.file, p.sheet, p.row, p.column) for p in exc.problems}
    if m.kind == "unknown-sheet":
        return any(p.sheet == m.table and "unknown record type" in p.message for p in exc.problems)
    if m.kind == "unknown-column":
        return any((p.file, p.sheet, p.column) == (file, m.table, m.column) for p in exc.problems)
    if m.kind == "truncate":  # a short last line: its missing fields
        return any(
            (p.file, p.sheet, p.row) == (file, m.table, _line(fmt, case, m.table, m.index)) for p in exc.problems
        )
    return any((_file_of(fmt, path, t), t, _line(fmt, case, t, i), c) in got for t, i, c in _places(case, m))


def _expected(case: Case) -> Dataset:
    """The mutated records as typed tables; an emptied optional cell holds its documented default."""
    frames: dict[str, pl.DataFrame] = {}
    for rt in TABLES:
        df = pl.DataFrame(case.records[rt.name], schema=polars_schema(rt), orient="row")
        fills = [pl.col(f.name).fill_null(f.default) for f in rt.fields if not f.required and f.default is not None]
        frames[rt.name] = df.with_columns(fills) if fills else df
    return Dataset.from_frames("demo", frames)


def _judge(case: Case, fmt: str, path: Path, label: str) -> list[str]:
    breaking = [m for m in case.mutations if m.breaks and (m.renamed is None or _places(case, m))]
    try:
        got = read_path(path, max_problems=100_000)
    except (ValidationError, FileFormatError) as exc:
        if not breaking:
            return [f"{label}: refused, but no mutation breaks a rule ({case.mutations}): {str(exc)[:400]}"]
        return [f"{label}: {m} is not named: {str(exc)[:300]}" for m in breaking if not _named(exc, case, m, fmt, path)]
    except (KeyboardInterrupt, SystemExit):
        raise
    except BaseException as exc:  # a traceback (a polars panic is a BaseException): something got through unnamed
        return [f"{label}: {type(exc).__name__}: {str(exc)[:300]} escaped the reader ({case.mutations})"]
    if breaking:
        return [f"{label}: accepted, but these break rules: {breaking}"]
    want = _expected(case)
    bad = [n for n in want.tables if not got.canonical(n).equals(want.canonical(n))]
    return [f"{label}: read back differs in {bad} ({case.mutations})"] if bad else []


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> Template:
    ds = load()
    base = {rt.name: ds.canonical(rt.name).to_dicts() for rt in TABLES}
    folder = tmp_path_factory.mktemp("mutations")
    write_path(ds, folder / "base", "csv")
    write_path(ds, folder / "base.xlsx")
    with zipfile.ZipFile(folder / "base.xlsx") as z:
        infos = z.infolist()
        parts = {i.filename: z.read(i) for i in infos}
    csv_files = {rt.name: (folder / "base" / f"{rt.name}.csv").read_bytes() for rt in TABLES}
    return Template(base, folder, csv_files, parts, infos)


@pytest.mark.parametrize("fmt", ["csv", "json", "xlsx"])
def test_mutations_are_refused_at_their_place_or_read_back_exactly(
    fmt: str, template: Template, tmp_path: Path
) -> None:
    rng = random.Random(f"{SEED}-{fmt}")
    refusing, accepted, per_file, file_level = PLAN[fmt]
    base = template.base
    cases = [_cell_case(base, rng, fmt, rng.randint(per_file // 4, per_file)) for _ in range(refusing)]
    cases += [_cell_case(base, rng, fmt, 0) for _ in range(accepted)]
    cases += [_file_case(base, rng, fmt) for _ in range(file_level)]
    failures: list[str] = []
    kinds: Counter[str] = Counter()
    for n, case in enumerate(cases):
        path = WRITERS[fmt](case, template, tmp_path / f"case{n}")
        failures += _judge(case, fmt, path, f"{fmt} case {n} ({path.name})")
        kinds.update(m.kind for m in case.mutations)
        shutil.rmtree(path) if path.is_dir() else path.unlink()
    print(f"{fmt}: {sum(kinds.values())} mutations in {len(cases)} files: {dict(sorted(kinds.items()))}")
    assert not failures, f"{len(failures)} failures:\n" + "\n".join(failures[:15])
