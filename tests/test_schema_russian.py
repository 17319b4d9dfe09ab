"""Russian in the schema and in validation messages (issue 13).

- every record type and field declares a Russian label and description that differ from the English;
  every enumeration names each code in Russian;
- the xlsx template keeps the field names as its headers (the import contract), carries the Russian as header
  comments, and still imports;
- what validation really writes (real files, real rules) carries its message id and parameters
  (:mod:`importsub.model.messages`): the English is the id's rendering, the Russian keeps the message's values and
  leaves no English word but them (hypothesis: any out-of-range number, any unknown code).
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import openpyxl
import polars as pl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from importsub.io import read_path, write_path
from importsub.io.xlsx import header_comment, write_template
from importsub.model.dataset import Dataset
from importsub.model.errors import Problem, ValidationError
from importsub.model.messages import MESSAGES, problem_text, render_why
from importsub.model.schema import TABLES, table
from importsub.model.validate import ROW, RawTable, parse

CYRILLIC = re.compile(r"[А-Яа-яЁё]")


def test_every_table_and_field_has_russian_that_differs_from_the_english() -> None:
    for rt in TABLES:
        assert rt.label, rt.name
        assert rt.label_ru != rt.label, rt.name
        assert CYRILLIC.search(rt.label_ru), rt.name
        assert rt.description_ru != rt.description, rt.name
        assert CYRILLIC.search(rt.description_ru), rt.name
        for f in rt.fields:
            where = f"{rt.name}.{f.name}"
            assert f.label_ru.strip(), where
            assert f.description_ru.strip(), where
            assert f.label_ru != f.name, where
            assert f.description_ru != f.description, where
            # codes (ISO, INN, OKPD 2, TN VED) may stay as they are, but every label has Russian words or letters
            assert CYRILLIC.search(f.label_ru), where
            if f.choices:
                assert f.choices_ru is not None, where
                assert len(set(f.choices_ru)) == len(f.choices), where
                assert all(CYRILLIC.search(c) or c.isupper() for c in f.choices_ru), where
                assert f.choice_label(f.choices[0], "ru") == f.choices_ru[0]
                assert f.choice_label(f.choices[0], "en") == f.choices[0]
            else:
                assert f.choices_ru is None, where


def test_the_template_keeps_its_headers_carries_the_russian_and_imports(tmp_path: Path, tiny: Dataset) -> None:
    path = tmp_path / "template.xlsx"
    write_template(path)
    wb = openpyxl.load_workbook(path)
    for rt in TABLES:
        ws = wb[rt.name]
        header = [c.value for c in ws[1]]
        assert header == list(rt.field_names), rt.name
        comments = [c.comment.text if c.comment else None for c in ws[1]]
        assert comments == [header_comment(f) for f in rt.fields], rt.name
        assert all(f.label_ru in c and f.description_ru in c for f, c in zip(rt.fields, comments, strict=True))  # type: ignore[operator]
    assert read_path(path).counts() == dict.fromkeys((rt.name for rt in TABLES), 0)
    # a filled workbook with the same header comments reads back equal (Cyrillic intact)
    filled = tmp_path / "tiny.xlsx"
    write_path(tiny, filled)
    assert read_path(filled).equals(tiny)
    assert "Идентификатор" in (openpyxl.load_workbook(filled)["sites"]["A1"].comment.text)  # type: ignore[union-attr]


def _raw(ds: Dataset, **changes: tuple[str, int, str, str]) -> list[RawTable]:
    """The dataset as raw text tables (as a file would give them), with ``changes`` (table: (column, row index,
    new text)) applied."""
    out = []
    for name, frame in ds.tables.items():
        df = frame.with_columns(pl.all().cast(pl.String))
        for t, (col, i, value, _) in changes.items():
            if t == name:
                values = df.get_column(col).to_list()
                values[i] = value
                df = df.with_columns(pl.Series(col, values, dtype=pl.String))
        df = df.with_row_index(ROW, offset=2).with_columns(pl.col(ROW).cast(pl.Int64))
        out.append(RawTable(name, df, file=f"{name}.csv", sheet=name))
    return out


def _problems(raws: list[RawTable]) -> list[Problem]:
    with pytest.raises(ValidationError) as info:
        parse(raws)
    return info.value.problems


def _russian(p: Problem) -> str:
    """``p``'s message in Russian, after checking that it carries its id and its English is the id's rendering;
    the Russian has Cyrillic and no English word left but the message's own values and codes in capitals."""
    assert p.message_id in MESSAGES, p
    assert p.args is not None, p
    assert render_why(p.message_id, p.args, "en") == p.message  # the CLI's English is the id's rendering
    ru = problem_text(p, "ru")
    assert ru != p.message, ru
    assert CYRILLIC.search(ru), ru
    rest = ru
    for name, kind in MESSAGES[p.message_id].args.items():
        if kind == "text":
            rest = rest.replace(str(json.loads(p.args)[name]), " ")
    # codes (ISO, BOM) are capitals; true and false are what a file writes
    assert not set(re.findall(r"\b[a-z]{3,}\b", rest)) - {"true", "false"}, (p.message, ru)
    return ru


def test_real_problems_carry_their_message_ids_and_read_in_russian(tiny: Dataset) -> None:
    """One real file per rule; each problem carries its rule's message id, and reads in Russian."""
    cases = {
        "sites": ("lat", 0, "123", "maximum"),
        "supply_links": ("share", 0, "-0.5", "minimum"),
        "organizations": ("kind", 0, "bank", "not_choice"),
        "production": ("capacity", 0, "abc", "not_type"),
        "countries": ("iso2", 0, "by", "pattern"),
        "parts": ("unit_value", 0, "0", "positive"),
    }
    for name, case in cases.items():
        found = _problems(_raw(tiny, **{name: case}))
        mine = [p for p in found if p.sheet == name and p.column == case[0]]
        assert mine, (name, [str(p) for p in found])
        assert mine[0].message_id == case[3], (mine[0].message, mine[0].message_id)
        _russian(mine[0])
    # a missing column, a duplicate key, an unknown reference
    raws = _raw(tiny)
    sites = next(r for r in raws if r.name == "sites")
    raws[raws.index(sites)] = RawTable("sites", sites.frame.drop("lat"), file="sites.csv", sheet="sites")
    (p,) = [p for p in _problems(raws) if p.column == "lat"]
    assert (p.message_id, json.loads(p.args or "")) == ("missing_column", {"column": "'lat'"})
    assert _russian(p) == "нет столбца 'lat' (обязательный)"
    dup = _raw(tiny)
    parts = next(r for r in dup if r.name == "parts")
    dup[dup.index(parts)] = RawTable(
        "parts",
        pl.concat(
            [
                parts.frame,
                parts.frame.head(1).with_columns(pl.lit("other name").alias("name"), pl.lit(99, pl.Int64).alias(ROW)),
            ]
        ),
        file="p.csv",
        sheet="parts",
    )
    kinds = {p.message_id for p in _problems(dup) if _russian(p)}
    assert "duplicate_key" in kinds
    unknown = _problems(_raw(tiny, supply_links=("supplier", 0, "NOWHERE", "")))
    refs = [p.message_id for p in unknown if "NOWHERE" in p.message and _russian(p)]
    assert refs
    assert set(refs) <= {"unknown_ref", "no_record", "no_record_plain"}, refs


# the fixture is only read: one dataset serves every example
@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    lat=st.floats(min_value=90.001, max_value=1e6, allow_nan=False), code=st.from_regex(r"[a-z]{3,12}", fullmatch=True)
)
def test_russian_keeps_the_values_of_any_message(tiny: Dataset, lat: float, code: str) -> None:
    if code in table("organizations").field("kind").choices:  # type: ignore[operator]
        return
    found = _problems(_raw(tiny, sites=("lat", 0, repr(lat), ""), organizations=("kind", 1, code, "")))
    by_column = {p.column: p for p in found}
    lat_p, kind_p = by_column["lat"], by_column["kind"]
    assert lat_p.message_id == "maximum"
    value = json.loads(lat_p.args or "")["value"]
    assert float(value) == pytest.approx(lat)
    assert _russian(lat_p) == f"должно быть ≤ 90°, получено {value}"
    assert _russian(kind_p).startswith(f"{code} — не из списка: oem, supplier")
    # where the problem is stays with the problem, not the message
    assert (by_column["lat"].sheet, by_column["lat"].row) == ("sites", 2)
    assert (by_column["kind"].sheet, by_column["kind"].row) == ("organizations", 3)


def test_a_problem_without_a_message_id_stays_as_it_is() -> None:
    """A problem made elsewhere (a reader's, or stored before problems kept their ids) shows its own text."""
    text = "columns/types {'a': String} differ from schema {'a': Int64}"
    assert problem_text(Problem(None, "parts", None, None, text), "ru") == text
    assert problem_text({"file": None, "sheet": "parts", "row": 1, "column": None, "message": text}, "ru") == text
    # a missing value names the field by its Russian description, from the field itself
    missing = Problem(
        None, "sites", 2, "lat", "missing value (Latitude (WGS 84))", "missing_value", '{"field":"sites.lat"}'
    )
    assert render_why("missing_value", missing.args or "", "en") == missing.message
    assert problem_text(missing, "ru") == "нет значения (Широта (WGS 84))"


def test_what_the_json_reader_refuses_reads_in_russian(tmp_path: Path, tiny: Dataset) -> None:
    """A JSON value that cannot be a cell (a list, a boolean in a text field, a number in a boolean or date
    field, a lone surrogate): each problem carries its message id and reads in Russian."""
    path = tmp_path / "tiny.json"
    write_path(tiny, path)
    doc = json.loads(path.read_text(encoding="utf-8"))
    tables = doc["tables"]
    tables["parts"][0]["name"] = ["LED", "chip"]
    tables["parts"][1]["material"] = 2
    tables["sites"][0]["region"] = True
    tables["sites"][1]["name"] = "Togliatti\ud800"
    tables["supply_links"][0]["share"] = {"value": 1}
    tables["milestones"] = [{"project": "P", "name": "start", "due": 20250630}]
    path.write_text(json.dumps(doc), encoding="utf-8")  # ASCII: the surrogate stays an escape
    with pytest.raises(ValidationError) as info:
        read_path(path)
    found = {(p.sheet, p.column): p for p in info.value.problems}
    expected = {
        ("parts", "name"): ("json_not_value", "список — не значение; в поле одно значение"),
        ("parts", "material"): ("not_type", "2 — не true или false (да или нет)"),
        ("sites", "region"): ("json_not_type", "логическое значение — не текст"),
        ("sites", "name"): ("json_surrogate", "содержит одиночный суррогат U+D800 (это не символ; JSON повреждён)"),
        ("supply_links", "share"): ("json_not_value", "объект — не значение; в поле одно значение"),
        ("milestones", "due"): ("json_not_date", "число — не дата; запишите её текстом, ГГГГ-ММ-ДД"),
    }
    assert set(found) == set(expected), [str(p) for p in info.value.problems]
    for where, (message_id, russian) in expected.items():
        assert found[where].message_id == message_id, found[where]
        assert _russian(found[where]) == russian


def test_what_the_workbook_reader_refuses_reads_in_russian(tmp_path: Path, tiny: Dataset) -> None:
    """A formula without a stored result, an error value, a value under no header, merged cells: each problem
    carries its message id, reads in Russian, and names its cell in both languages."""
    path = tmp_path / "tiny.xlsx"
    write_path(tiny, path)
    wb = openpyxl.load_workbook(path)
    parts = wb["parts"]
    last = parts.max_row
    parts.cell(row=last, column=4, value="=B4*2")  # openpyxl stores no result of a formula
    parts.cell(row=last - 1, column=4, value="#N/A")
    parts.cell(row=last, column=parts.max_column + 2, value="stray")
    wb["sites"].merge_cells(start_row=4, start_column=3, end_row=5, end_column=3)
    wb.save(path)
    with pytest.raises(ValidationError) as info:
        read_path(path)
    by_id = {p.message_id: p for p in info.value.problems}
    assert {"xlsx_formula", "xlsx_error_value", "xlsx_no_header", "xlsx_merged"} <= set(by_id), [
        str(p) for p in info.value.problems
    ]
    formula = by_id["xlsx_formula"]
    assert formula.message.startswith(f"cell D{last} holds a formula (=B4*2) without a stored result")
    assert _russian(formula).startswith(f"в ячейке D{last} формула (=B4*2) без сохранённого результата")
    assert _russian(by_id["xlsx_error_value"]) == f"в ячейке D{last - 1} значение ошибки #N/A; впишите туда значение"
    assert f"в ячейке {openpyxl.utils.get_column_letter(parts.max_column)}{last} есть значение" in _russian(
        by_id["xlsx_no_header"]
    )
    assert _russian(by_id["xlsx_merged"]).startswith("ячейки C4:C5 объединены")
