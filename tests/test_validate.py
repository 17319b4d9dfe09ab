"""Every validation case: a bad file gives a problem that names file, sheet, row and column."""

from __future__ import annotations

import os
import re
from pathlib import Path

import polars as pl
import pytest

from importsub.io import read_path, write_path
from importsub.model.dataset import Dataset
from importsub.model.errors import FileFormatError, Problem, ValidationError


@pytest.fixture
def folder(tiny: Dataset, tmp_path: Path) -> Path:
    out = tmp_path / "data"
    write_path(tiny, out, "csv")
    return out


def edit(folder: Path, table: str, fn) -> Path:  # type: ignore[no-untyped-def]
    path = folder / f"{table}.csv"
    df = pl.read_csv(path, infer_schema=False)
    fn(df).write_csv(path)
    return path


def problems(path: Path) -> list[Problem]:
    with pytest.raises(ValidationError) as info:
        read_path(path)
    return info.value.problems


def find(ps: list[Problem], *, sheet: str, column: str | None, row: int | None, text: str) -> Problem:
    for p in ps:
        if p.sheet == sheet and p.column == column and p.row == row and text in p.message:
            return p
    raise AssertionError(f"no problem {sheet}/{row}/{column}/{text!r} in:\n" + "\n".join(map(str, ps)))


def set_cell(df: pl.DataFrame, row: int, col: str, value: str | None) -> pl.DataFrame:
    values = df.get_column(col).to_list()
    values[row] = value
    return df.with_columns(pl.Series(col, values, dtype=pl.String))


def test_valid_folder_reads(folder: Path, tiny: Dataset) -> None:
    assert read_path(folder).equals(tiny)


def test_missing_column(folder: Path) -> None:
    edit(folder, "parts", lambda df: df.drop("unit_value"))
    p = find(problems(folder), sheet="parts", column="unit_value", row=1, text="missing column")
    assert p.file is not None
    assert p.file.endswith("parts.csv")


def test_unknown_column(folder: Path) -> None:
    edit(folder, "sites", lambda df: df.with_columns(pl.lit("x").alias("colour")))
    find(problems(folder), sheet="sites", column="colour", row=1, text="unknown column 'colour'")


def test_wrong_type(folder: Path) -> None:
    # rows are sorted by key on export: parts CAR, CHIP, LAMP -> LAMP is line 4
    edit(folder, "parts", lambda df: set_cell(df, 2, "unit_value", "ten thousand"))
    find(problems(folder), sheet="parts", column="unit_value", row=4, text="'ten thousand' is not a number")


def test_wrong_int_and_bool_and_date(folder: Path) -> None:
    edit(folder, "demand", lambda df: set_cell(df, 0, "year", "2025.5"))
    edit(folder, "supply_links", lambda df: set_cell(df, 0, "qualified", "maybe"))
    edit(folder, "milestones", lambda df: set_cell(df, 0, "due", "30/06/2025"))
    ps = problems(folder)
    find(ps, sheet="demand", column="year", row=2, text="not a whole number")
    find(ps, sheet="supply_links", column="qualified", row=2, text="not true or false")
    find(ps, sheet="milestones", column="due", row=2, text="not a date")


@pytest.mark.parametrize(
    ("table", "column", "value", "text"),
    [
        ("bom", "quantity", "0", "must be > 0"),
        ("bom", "quantity", "-2", "must be > 0"),
        ("production", "capacity", "-5", "must be > 0"),
        ("parts", "unit_value", "0", "must be > 0"),
        ("inventory", "units", "-1", "must be >= 0"),
        ("sites", "lat", "95.5", "must be <= 90"),
        ("sites", "lon", "-181", "must be >= -180"),
        ("supply_links", "share", "1.5", "must be <= 1"),
        ("organizations", "kind", "factory", "is not one of"),
    ],
)
def test_bounds(folder: Path, table: str, column: str, value: str, text: str) -> None:
    edit(folder, table, lambda df: set_cell(df, 0, column, value))
    find(problems(folder), sheet=table, column=column, row=2, text=text)


def test_missing_required_value(folder: Path) -> None:
    edit(folder, "sites", lambda df: set_cell(df, 1, "organization", ""))
    find(problems(folder), sheet="sites", column="organization", row=3, text="missing value")


def test_unknown_reference(folder: Path) -> None:
    edit(folder, "supply_links", lambda df: set_cell(df, 2, "supplier", "NOWHERE"))
    ps = problems(folder)
    find(ps, sheet="supply_links", column="supplier", row=4, text="unknown Site NOWHERE")


def test_composite_reference_supplier_must_produce(folder: Path) -> None:
    # TLT buys LAMP from CN1, which does not make lamps; shares still sum to 1
    edit(folder, "supply_links", lambda df: set_cell(df, 1, "supplier", "CN1"))
    ps = problems(folder)
    p = find(ps, sheet="supply_links", column="supplier,part", row=3, text="no production record")
    assert "CN1 | LAMP" in p.message


def test_shares_must_sum_to_one(folder: Path) -> None:
    # sorted rows: RUD/CHIP/CN1 (line 2), TLT/LAMP/DE1 0.25 (line 3), TLT/LAMP/RUD 0.75 (line 4)
    edit(folder, "supply_links", lambda df: set_cell(df, 2, "share", "0.5"))
    p = find(
        problems(folder),
        sheet="supply_links",
        column="share",
        row=3,
        text="shares of buyer TLT for part LAMP sum to 0.75",
    )
    assert "not 1" in p.message


def test_a_link_without_its_buyer_names_it_null_in_its_shares(folder: Path) -> None:
    # the buyer of line 3 left empty: a missing value there, and its share alone is a pair (null, LAMP) of 0.25
    edit(folder, "supply_links", lambda df: set_cell(df, 1, "buyer", None))
    ps = problems(folder)
    find(ps, sheet="supply_links", column="buyer", row=3, text="missing value")
    p = find(ps, sheet="supply_links", column="share", row=3, text="shares of buyer null for part LAMP sum to 0.25")
    _russian(p, {"shares"}, "доли покупателя null по изделию LAMP")


def test_shares_tolerance(folder: Path, tiny: Dataset) -> None:
    # within 1e-6 is fine
    edit(folder, "supply_links", lambda df: set_cell(df, 2, "share", "0.7500005"))
    read_path(folder)
    edit(folder, "supply_links", lambda df: set_cell(df, 2, "share", "0.750002"))
    assert problems(folder)


def test_bom_cycle_named(folder: Path) -> None:
    edit(
        folder,
        "bom",
        lambda df: pl.concat(
            [df, pl.DataFrame({"parent": ["CHIP"], "child": ["CAR"], "quantity": ["1"]})], how="diagonal"
        ),
    )
    ps = problems(folder)
    cyc = [p for p in ps if "BOM cycle" in p.message]
    assert cyc, ps
    msg = cyc[0].message
    assert all(n in msg for n in ("CAR", "LAMP", "CHIP"))
    assert cyc[0].sheet == "bom"
    assert cyc[0].row is not None


def _russian(p: Problem, ids: set[str], part: str) -> None:
    """A real validation problem carries one of the message ids ``ids`` (:mod:`importsub.model.messages`) and
    reads in Russian with its values (``part``) kept; the English is the id's rendering, as validation wrote it."""
    from importsub.model.messages import problem_text, render_why

    assert p.message_id in ids, (p.message, p.message_id)
    ru = problem_text(p, "ru")
    assert re.search("[А-Яа-я]", ru), ru
    assert part in ru, ru
    assert render_why(p.message_id, p.args or "", "en") == p.message == problem_text(p, "en")


def test_duplicate_key(folder: Path) -> None:
    edit(folder, "parts", lambda df: pl.concat([df, df.head(1)]))
    find(problems(folder), sheet="parts", column="id", row=5, text="duplicate key (id) = CAR; first at row 2")


def test_negative_value_added(folder: Path) -> None:
    # the LAMP at RUD costs 9000; 4 chips at 500 = 2000. Make chips cost 5000 -> 20000 > 9000
    edit(folder, "parts", lambda df: set_cell(df, 1, "unit_value", "5000"))
    ps = problems(folder)
    p = next(p for p in ps if "negative value added" in p.message)
    assert p.sheet == "production"
    assert p.column == "unit_value"
    assert "LAMP" in p.message
    assert "RUD" in p.message
    _russian(p, {"value_added", "value_added_unmapped"}, "отрицательная добавленная стоимость")


def test_every_problem_at_once(folder: Path) -> None:
    edit(folder, "sites", lambda df: set_cell(df, 0, "lat", "100"))
    edit(folder, "parts", lambda df: set_cell(df, 0, "unit_value", "x"))
    edit(folder, "bom", lambda df: set_cell(df, 0, "quantity", "-1"))
    ps = problems(folder)
    assert {p.sheet for p in ps} >= {"sites", "parts", "bom"}


def test_problem_cap(folder: Path) -> None:
    big = pl.DataFrame(
        {"id": [f"X{i}" for i in range(500)], "name": ["x"] * 500, "category": ["c"] * 500, "unit_value": ["bad"] * 500}
    )
    edit(folder, "parts", lambda df: pl.concat([df, big], how="diagonal"))
    with pytest.raises(ValidationError) as info:
        read_path(folder, max_problems=50)
    assert len(info.value.problems) == 50
    assert info.value.total >= 500


def test_xlsx_locations(tiny: Dataset, tmp_path: Path) -> None:
    from openpyxl import load_workbook

    path = tmp_path / "d.xlsx"
    write_path(tiny, path)
    wb = load_workbook(path)
    ws = wb["sites"]
    # header, units, notes -> data from row 4; sorted ids: CN1, DE1, RUD, TLT
    assert ws.cell(6, 1).value == "RUD"
    ws.cell(6, 7).value = 123.0  # lat column (7th field)
    wb.save(path)
    p = find(problems(path), sheet="sites", column="lat", row=6, text="must be <= 90")
    assert p.file == str(path)


def test_corrupt_files(tiny: Dataset, tmp_path: Path) -> None:
    good = tmp_path / "good.xlsx"
    write_path(tiny, good)
    data = good.read_bytes()
    truncated = tmp_path / "truncated.xlsx"
    truncated.write_bytes(data[: len(data) // 2])
    garbage = tmp_path / "garbage.xlsx"
    garbage.write_bytes(os.urandom(5000))
    for path in (truncated, garbage):
        with pytest.raises(FileFormatError, match=path.name):
            read_path(path)
    # a cp1251 CSV with Cyrillic: refused when UTF-8 is asked for (issue 16: read it by default, Windows-1251)
    folder = tmp_path / "cp"
    folder.mkdir()
    (folder / "countries.csv").write_bytes("iso2,name,name_local\nBY,Belarus,Беларусь\n".encode("cp1251"))
    with pytest.raises(FileFormatError, match="UTF-8"):
        read_path(folder, csv_dialect="utf8", validate=False)
    assert read_path(folder, validate=False).countries.get_column("name_local").to_list() == ["Беларусь"]
    binary = tmp_path / "bin"
    binary.mkdir()
    (binary / "parts.csv").write_bytes(b"\x00\x01\x02" * 100)
    with pytest.raises(FileFormatError, match="binary"):
        read_path(binary)
    bad_json = tmp_path / "bad.json"
    bad_json.write_text('{"tables": {"parts": [', encoding="utf-8")
    with pytest.raises(FileFormatError, match="line 1"):
        read_path(bad_json)


def test_unknown_sheet(tiny: Dataset, tmp_path: Path) -> None:
    folder = tmp_path / "f"
    write_path(tiny, folder, "csv")
    (folder / "suppliers.csv").write_text("a,b\n1,2\n", encoding="utf-8")
    ps = problems(folder)
    assert any("unknown record type 'suppliers'" in p.message for p in ps)


# ---------------------------------------------------------------- nothing ignored silently (issue 9, item 7)


def test_stock_nobody_makes_or_buys(folder: Path) -> None:
    # tiny: TLT buys LAMP (row 2 of the file); add stock of CHIP at TLT, which neither makes nor buys chips
    path = edit(
        folder,
        "inventory",
        lambda df: pl.concat(
            [
                df,
                pl.DataFrame({c: [None] * 1 for c in df.columns}).with_columns(
                    pl.lit("TLT").alias("site"), pl.lit("CHIP").alias("part"), pl.lit("500").alias("units")
                ),
            ]
        ),
    )
    p = find(problems(path.parent), sheet="inventory", column="part", row=3, text="never used")
    assert "stock of part CHIP at site TLT" in p.message
    _russian(p, {"stock_unused"}, "запас изделия CHIP на площадке TLT никогда не используется")
    assert p.file is not None
    assert p.file.endswith("inventory.csv")


def test_link_whose_buyer_uses_nothing(folder: Path) -> None:
    # RUD makes lamps (BOM: chips); a link of CAR to RUD is a part nothing at RUD uses
    path = edit(
        folder,
        "supply_links",
        lambda df: pl.concat(
            [
                df,
                pl.DataFrame({c: [None] for c in df.columns})
                .with_columns(
                    pl.lit("RUD").alias("buyer"),
                    pl.lit("CHIP").alias("part"),
                    pl.lit("CN1").alias("supplier"),
                    pl.lit("1").alias("share"),
                )
                .with_columns(pl.lit("TLT").alias("buyer")),
            ]
        ),
    )
    # TLT makes CAR (BOM: LAMP), not anything with CHIP: the new row 5 (header = line 1) is ignored today
    p = find(problems(path.parent), sheet="supply_links", column="part", row=5, text="makes nothing that uses")
    assert "buyer TLT makes nothing that uses part CHIP" in p.message
    _russian(p, {"link_unused"}, "покупатель TLT не выпускает ничего, во что входит изделие CHIP")


def test_link_for_a_hosted_project_output_is_used(tiny: Dataset) -> None:
    """Inputs contracted ahead for a project's output at its host site are not ignored links."""
    from importsub.model.validate import check
    from test_compile import typed

    # TLT buys CHIP for a project hosted at TLT that will make lamps (BOM: chips)
    ds = tiny.replace(
        supply_links=pl.concat(
            [
                tiny.supply_links,
                typed("supply_links", {"buyer": ["TLT"], "part": ["CHIP"], "supplier": ["CN1"], "share": [1.0]}),
            ]
        ),
        projects=pl.concat(
            [tiny.projects, typed("projects", {"id": ["P-TLT"], "name": ["Lamps at TLT"], "host_site": ["TLT"]})]
        ),
        project_outputs=typed("project_outputs", {"project": ["P-TLT"], "part": ["LAMP"], "capacity": [1_000.0]}),
    )
    assert check(ds) is ds


@pytest.mark.parametrize(
    ("kind", "target", "text"),
    [
        ("country", "XX", "no country XX"),
        ("group", "nowhere", "no country group nowhere"),
        ("site", "NO-SITE", "no site NO-SITE"),
        ("organization", "NO-ORG", "no organization NO-ORG"),
        ("part", "NO-PART", "no part NO-PART"),
        ("link", "TLT|LAMP|CN1", "no supply link to buyer TLT of part LAMP from supplier CN1"),
        ("link", "TLT LAMP", "written buyer|part|supplier"),
    ],
)
def test_disruption_target_that_names_nothing(folder: Path, kind: str, target: str, text: str) -> None:
    path = edit(
        folder,
        "disruptions",
        lambda df: df.with_columns(pl.lit(kind).alias("target_kind"), pl.lit(target).alias("target")),
    )
    p = find(problems(path.parent), sheet="disruptions", column="target", row=2, text=text)
    assert "names nothing" in p.message or "written" in p.message
    _russian(p, {"target_unknown", "target_unknown_none", "link_target_form", "link_target_unknown"}, target)


def test_disruption_targets_that_name_something(tiny: Dataset) -> None:
    from importsub.model.validate import check

    for kind, target in (("site", "RUD"), ("group", "external"), ("link", "TLT|LAMP|DE1"), ("part", "CHIP")):
        ds = tiny.replace(
            disruptions=tiny.disruptions.with_columns(pl.lit(kind).alias("target_kind"), pl.lit(target).alias("target"))
        )
        assert check(ds) is ds


def test_demo_has_nothing_ignored() -> None:
    from importsub import demo

    demo.load()  # check() passes: every stock, link and target is used


def test_names_with_braces_are_quoted_not_formatted(tiny: Dataset) -> None:
    """Record text never goes into a format template (a site id with '{}' once crashed polars)."""
    from importsub.model.validate import check

    sites = tiny.sites.with_columns(
        pl.when(pl.col("id") == "CN1").then(pl.lit("CN{}1")).otherwise(pl.col("id")).alias("id")
    )
    production = tiny.production.with_columns(pl.col("site").str.replace("^CN1$", "CN{}1"))
    links = tiny.supply_links.with_columns(pl.col("supplier").str.replace("^CN1$", "CN{}1"))
    ds = tiny.replace(
        sites=sites,
        production=production,
        supply_links=links,
        disruptions=tiny.disruptions.with_columns(pl.lit("site").alias("target_kind"), pl.lit("{}{}").alias("target")),
    )
    with pytest.raises(ValidationError) as exc:
        check(ds)
    assert any(
        "target {}{} of kind site names nothing" in p.message and "CN{}1" in p.message for p in exc.value.problems
    )
