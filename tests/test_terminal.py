"""Result tables in an 80-column terminal, and the column descriptions every writer carries (issues 10, 13).

The terminal check is independent of the renderer: it parses the printed
boxes back into cells and compares every numeric cell with the exact figure
of the same command's JSON output, rounded to the decimals the cell shows
(a number cut or wrapped inside would not match), and checks that an id is
printed whole and a shortened text is a prefix of the real one.
"""

from __future__ import annotations

import io
import json
import math
import re
from pathlib import Path
from typing import Any

import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from openpyxl import load_workbook
from rich.cells import cell_len
from rich.console import Console

import importsub.demo as demo
from importsub.cli.common import run
from importsub.cli.main import app
from importsub.model.results import result_columns, result_tables
from importsub.reports.tables import COLUMNS_SHEET, render_table, to_json, write_xlsx
from importsub.reports.terminal import column_view
from importsub.web.services.catalogue import build_analyses

WIDTH = 80
COMMANDS = (
    ("demo",),
    ("analyze", "localisation"),
    ("shock", "run", "external-12w"),
    ("shock", "sweep"),
)


@pytest.fixture(scope="module")
def db(tmp_path_factory: pytest.TempPathFactory) -> str:
    from importsub.store import Store

    url = str(tmp_path_factory.mktemp("terminal") / "s.sqlite")
    Store(url).write_dataset(demo.load())
    return url


def _call(capsys: pytest.CaptureFixture[str], *args: str) -> str:
    code = run(app, list(args))
    cap = capsys.readouterr()
    assert code == 0, cap.err
    return cap.out


# ------------------------------------------------------------------ parsing the printed boxes back


def _cells(line: str, sep: str) -> list[str]:
    return [c.strip() for c in line.strip()[1:-1].split(sep)]


def _boxes(text: str) -> list[tuple[str, list[str], list[list[str]]]]:
    """(text before the box, headers, rows) of every rich table in ``text``."""
    lines = text.splitlines()
    out, before, i = [], [], 0
    while i < len(lines):
        if not lines[i].startswith("┏"):
            before.append(lines[i].strip())
            i += 1
            continue
        head: list[list[str]] = []
        i += 1
        while lines[i].startswith("┃"):
            head.append(_cells(lines[i], "┃"))
            i += 1
        assert lines[i].startswith("┡"), lines[i]
        i += 1
        rows = []
        while lines[i].startswith("│"):
            rows.append(_cells(lines[i], "│"))
            i += 1
        assert lines[i].startswith("└"), f"a row of the table continues on a second line: {lines[i]!r}"
        headers = [" ".join(h[k] for h in head if h[k]) for k in range(len(head[0]))]
        out.append((" ".join(before), headers, rows))
        before, i = [], i + 1
    return out


_SCALE = {"bn": 1e9, "mn": 1e6}


def _column_of(header: str, columns: list[str]) -> tuple[str, float]:
    """The JSON column a header shows, and the factor its unit was scaled by."""
    if header in columns:
        return header, 1.0
    m = re.match(r"^(.*) \[(bn|mn) (.+)\]$", header)
    assert m, f"header {header!r} names no column of {columns}"
    name = f"{m.group(1)} [{m.group(3)}]"
    assert name in columns, (header, columns)
    return name, _SCALE[m.group(2)]


def _check_cell(cell: str, value: Any, factor: float, where: str) -> None:
    if value is None or cell == "":
        assert value is None or (isinstance(value, str) and not value.strip()), f"{where}: {value!r} not shown"
        return
    if isinstance(value, bool):
        assert cell == ("yes" if value else "no"), where
    elif isinstance(value, int | float):
        if isinstance(value, float) and math.isinf(value):
            assert cell in ("∞", "-∞"), where
            return
        assert re.fullmatch(r"[<>]?-?\d{1,3}(,\d{3})*(\.\d+)?|[<>]?-?\d+(\.\d+)?", cell), f"{where}: {cell!r} cut"
        x = value / factor
        digits = cell.rstrip("0123456789")
        decimals = len(cell) - len(digits) if "." in cell else 0
        shown = float(cell.lstrip("<>").replace(",", ""))
        if cell.startswith("<"):
            assert 0 < x < shown, (where, cell, value)
        elif cell.startswith(">"):
            assert shown < x < 0, (where, cell, value)  # ">-0.1": above -0.1
        else:
            assert abs(shown - x) <= 0.5 * 10.0**-decimals * (1 + 1e-9) + 1e-12, (where, cell, value)
    else:
        text = " ".join(str(value).split())
        if cell.endswith("…"):
            assert " " in text, (where, cell, text)  # only free text is shortened, never an id
            assert text.startswith(cell[:-1].rstrip()), (where, cell, text)
        else:
            assert cell == text, (where, cell, text)


def _check_output(text: str, doc: dict[str, Any], width: int = WIDTH) -> int:
    """Every line fits; every printed table matches the JSON tables, cell by cell. Returns the cells checked."""
    too_wide = [line for line in text.splitlines() if cell_len(line) > width]
    assert not too_wide, too_wide[:3]
    names = list(doc["tables"])
    checked = 0
    for before, headers, rows in _boxes(text):
        titled = [n for n in names if " ".join(before.split()).endswith(" ".join(n.split()))]
        assert titled, f"no table's title before {headers}: {before[-80:]!r}"
        name = max(titled, key=len)
        data = doc["tables"][name]
        columns = list(data[0]) if data else []
        if headers == ["column", "value"]:  # one row, one figure per line
            assert len(data) == 1
            for head, cell in rows:
                col, factor = _column_of(head, columns)
                _check_cell(cell, data[0][col], factor, f"{name}/{col}")
                checked += 1
            continue
        assert len(rows) == min(len(data), 40), (name, len(rows), len(data))
        for k, row in enumerate(rows):
            for head, cell in zip(headers, row, strict=True):
                col, factor = _column_of(head, columns)
                _check_cell(cell, data[k][col], factor, f"{name}[{k}]/{col}")
                checked += 1
    return checked


@pytest.mark.parametrize("command", COMMANDS, ids=lambda c: " ".join(c))
def test_commands_fit_80_columns(
    command: tuple[str, ...], db: str, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("COLUMNS", str(WIDTH))
    text = _call(capsys, *command, "--db", db)
    doc = json.loads(_call(capsys, *command, "--db", db, "-f", "json"))
    assert _check_output(text, doc) > 50
    if command != ("demo",):
        assert "bn RUB" in text  # money in billions, the scale in the header
        wide = _call(capsys, *command, "--db", db, "--wide")
        assert len(_boxes(wide)) == len(_boxes(text))
        # --wide: every column of each table
        for (_, w_heads, _), (_, heads, _) in zip(_boxes(wide), _boxes(text), strict=True):
            assert set(heads) <= set(w_heads)
    assert "e+" not in text
    assert "e-0" not in text


# ------------------------------------------------------------------ the renderer on random tables


_ids = st.text(alphabet="ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-/", min_size=1, max_size=24)
_words = st.lists(
    st.text(alphabet="abcdefghijklmnopqrstuvwxyzабвгд中文", min_size=1, max_size=9), min_size=1, max_size=6
)
_floats = st.floats(-1e13, 1e13, allow_nan=False) | st.just(0.0) | st.floats(-1e-6, 1e-6)


@st.composite
def _frames(draw: st.DrawFn) -> pl.DataFrame:
    n = draw(st.integers(1, 12))
    cols: dict[str, pl.Series] = {"site": pl.Series([draw(_ids) for _ in range(n)], dtype=pl.String)}
    cols["site name"] = pl.Series([" ".join(draw(_words)) for _ in range(n)], dtype=pl.String)
    units = ["RUB", "RUB/yr", "units/yr", "units", "%", "weeks", "0-1", "RUB/unit"]
    for k in range(draw(st.integers(1, 9))):
        unit = draw(st.sampled_from(units))
        cols[f"figure {k} [{unit}]"] = pl.Series([draw(_floats) for _ in range(n)], dtype=pl.Float64)
    if draw(st.booleans()):
        cols["count"] = pl.Series([draw(st.integers(-(10**9), 10**9)) for _ in range(n)], dtype=pl.Int64)
    return pl.DataFrame(cols)


@settings(max_examples=60, deadline=None)
@given(_frames(), st.sampled_from([60, 80, 120]))
def test_random_tables_fit_and_show_numbers_whole(df: pl.DataFrame, width: int) -> None:
    buf = io.StringIO()
    Console(file=buf, width=width).print(render_table("t", df, width=width))
    text = buf.getvalue()
    assert all(cell_len(line) <= width for line in text.splitlines())
    boxes = _boxes(text)
    assert len(boxes) == 1
    _, headers, rows = boxes[0]
    doc = {"tables": {"t": json.loads(to_json({"t": df}))["tables"]["t"]}}
    if headers == ["column", "value"]:
        assert df.height == 1
    else:
        assert len(rows) == df.height
        assert headers[0] == "site"  # the first column is never left out
    _check_output(text, doc, width)


@given(st.lists(st.floats(-1e14, 1e14, allow_nan=False, allow_infinity=False), min_size=1, max_size=20))
def test_one_format_per_column(values: list[float]) -> None:
    """No exponent, no float noise; every plain cell of a column has the same decimals; counts have none."""
    for unit in ("RUB", "units/yr", "%", "weeks"):
        v = column_view(f"x [{unit}]", pl.Series(values, dtype=pl.Float64))
        cells = [v.fmt(x) for x in values]
        assert not any("e" in c for c in cells)
        plain = [c for c in cells if not c.startswith(("<", ">"))]
        decimals = {len(c.partition(".")[2]) for c in plain}
        assert len(decimals) <= 1, (unit, cells)
        if unit == "units/yr":  # counts: whole numbers, never scaled
            assert decimals <= {0}


def test_noise_and_small_counts() -> None:
    v = column_view("capacity [units/yr]", pl.Series([876.0, 29150.000000000004, 3.81e-07]))
    assert [v.fmt(x) for x in (876.0, 29150.000000000004, 0.0)] == ["876", "29,150", "0"]
    assert v.fmt(3.81e-07) == "<1"
    money = column_view("lost margin [RUB]", pl.Series([43.8e9, 3.39e9]))
    assert money.header == "lost margin [bn RUB]"
    assert money.fmt(3.39e9) == "3.4"
    assert column_view("x [RUB/RUB]", pl.Series([2.5e9])).header == "x [RUB/RUB]"  # a ratio is not money


# ------------------------------------------------------------------ writers carry the declarations


_QUICK: list[tuple[str, dict[str, object]]] = [
    ("summary", {}),
    ("localisation", {}),
    ("concentration", {}),
    ("balance", {}),
    ("matching", {}),
    ("shock", {"scenario": "cn-8w"}),
    ("programme", {}),
]
_HEAVY: list[tuple[str, dict[str, object]]] = [
    ("sweep", {"by": "site", "weeks": 8, "tts": True}),
    ("montecarlo", {"runs": 200, "site_probability": 0.05}),
    ("impact", {}),
    ("portfolio", {"budget": 5e10, "objective": "loss", "steps": 3}),
]


def _demo_results(runs: list[tuple[str, dict[str, object]]]) -> list[tuple[str, dict[str, pl.DataFrame]]]:
    ds = demo.load()
    analyses = build_analyses()
    out = []
    for kind, params in runs:
        spec = analyses[kind]
        out.append((kind, spec.run(ds, spec.params(**params), lambda done, message=None: None).tables))
    return out


@pytest.fixture(scope="module")
def demo_results() -> list[tuple[str, dict[str, pl.DataFrame]]]:
    return _demo_results(_QUICK)


def test_json_and_xlsx_describe_exactly_each_tables_columns(
    demo_results: list[tuple[str, dict[str, pl.DataFrame]]], tmp_path: Path
) -> None:
    _check_writers(demo_results, tmp_path)


@pytest.mark.slow
def test_writers_describe_the_columns_of_the_heavy_analyses(tmp_path: Path) -> None:
    _check_writers(_demo_results(_HEAVY), tmp_path)


def _check_writers(results: list[tuple[str, dict[str, pl.DataFrame]]], tmp_path: Path) -> None:
    """The JSON ``columns`` block and the XLSX ``columns`` sheet list exactly each table's columns, with the
    declared unit, descriptions and owner; each table's sheet still reads with its header in row 1."""
    declared = result_columns()
    for kind, tables in results:
        doc = json.loads(to_json(tables, {"dataset": "demo"}, kind=kind))
        assert doc["fingerprint"] == {"dataset": "demo"}
        assert set(doc["tables"]) == set(doc["columns"]) == set(tables)
        path = tmp_path / f"{kind}.xlsx"
        write_xlsx(tables, path, {"dataset": "demo"}, kind=kind)
        wb = load_workbook(path)
        sheet = [[c.value for c in row] for row in wb[COLUMNS_SHEET].iter_rows()]
        assert sheet[0][:5] == ["table", "column", "unit", "description", "описание"]
        for name, df in tables.items():
            entries = doc["columns"][name]
            assert [e["name"] for e in entries] == df.columns, (kind, name)
            listed = [r for r in sheet[1:] if r[0] == name]
            assert [r[1] for r in listed] == df.columns, (kind, name)
            owners = result_tables()[(kind, name)].owners
            for e, r in zip(entries, listed, strict=True):
                c = declared[e["name"]]  # declared, or KeyError names it
                assert (e["unit"], e["description"], e["description_ru"]) == (c.unit, c.description, c.description_ru)
                assert e["label_ru"] == c.label_ru
                assert e["label"] == c.label
                assert e["owner"] == owners[e["name"]].describe()
                assert (r[2], r[3], r[4]) == (c.unit, c.description, c.description_ru)
            # the table's own sheet still reads as before: header in row 1, data from row 2, descriptions as comments
            ws = wb[name[:31]]
            header = [c.value for c in ws[1]]
            assert header == df.columns
            assert [c.comment.text.split("\n\n")[0] for c in ws[1]] == [declared[h].description for h in header]
            assert ws.max_row == df.height + 1


def test_every_column_has_a_russian_label_with_its_unit() -> None:
    for c in result_columns().values():
        assert c.label_ru, f"{c.name!r} has no Russian label (label_ru in result_columns.csv)"
        assert c.label_ru != c.name or c.name in ("MRL",), f"{c.name!r}: label_ru is the English name"
        if c.unit is not None:
            assert re.search(r"\[[^\]]+\]$", c.label_ru), f"{c.name!r}: the Russian label has no unit"
        assert not re.search(r"\b(RUB|units|weeks|days)\b", c.label_ru), f"{c.name!r}: unit not translated"


def test_key_columns_are_declared_for_every_table() -> None:
    for key, t in result_tables().items():
        assert t.terminal, f"{key}: no key column for a terminal (terminal=1 in result_tables.csv)"
        assert set(t.terminal) <= set(t.owners)
