"""The demo ships as data: CSV files that regenerate byte for byte, with unchanged figures."""

from __future__ import annotations

import pytest

from importsub import demo
from importsub.analysis import demo_headline
from importsub.analysis.programme import programme_size_of
from importsub.demo import derive
from importsub.io import read_path
from importsub.model.schema import TABLE_NAMES

# record counts of the demo (issue 17: projects substitute their imports, named scenarios, the programme record)
COUNTS = {
    "countries": 16, "country_groups": 21, "organizations": 114, "sites": 112, "parts": 252, "bom": 899,
    "production": 463, "capacity_pools": 3, "inventory": 180, "supply_links": 832, "demand": 160, "projects": 4,
    "project_partners": 16, "project_outputs": 19, "project_rampup": 24, "milestones": 15,
    "project_substitutes": 46, "scenarios": 11, "disruptions": 29, "demand_changes": 5, "scenario_projects": 8,
    "programme": 1,
}  # fmt: skip
# the statutory-localisation tables added later (issue 12): illustrative rules, plant operations, registry entries
STATUTORY_COUNTS = {"rules": 5, "rule_items": 14, "rule_thresholds": 8, "site_operations": 79, "registry_entries": 6}


def test_every_table_ships_as_a_csv_file() -> None:
    assert sorted(f.name for f in demo.DATA.iterdir()) == sorted(f"{n}.csv" for n in TABLE_NAMES)
    assert set(derive.SOURCE_TABLES) | set(derive.DERIVED_TABLES) == set(TABLE_NAMES)
    assert not set(derive.SOURCE_TABLES) & set(derive.DERIVED_TABLES)


def test_regenerating_from_the_source_tables_gives_the_shipped_files() -> None:
    # only the source tables are copied: every derived file is written again from scratch
    got = derive.regenerated()
    shipped = {f.name: f.read_bytes() for f in sorted(demo.DATA.iterdir())}
    assert sorted(got) == sorted(shipped)
    different = [name for name in shipped if got[name] != shipped[name]]
    assert different == []


def test_regenerating_notices_an_edited_input(tmp_path, monkeypatch: pytest.MonkeyPatch) -> None:
    # a changed derivation input changes the derived files (the test above can fail)
    derive.copy_sources(demo.DATA, tmp_path)
    monkeypatch.setitem(derive.MODEL_SPLIT, "LADA-GRANTA", 0.5)
    monkeypatch.setitem(derive.MODEL_SPLIT, "LADA-VESTA", 0.26)
    ds = derive.regenerate(tmp_path)
    assert (tmp_path / "demand.csv").read_bytes() != (demo.DATA / "demand.csv").read_bytes()
    assert (tmp_path / "sites.csv").read_bytes() == (demo.DATA / "sites.csv").read_bytes()
    assert ds.fingerprint() != demo.load().fingerprint()


def test_load_reads_the_shipped_files() -> None:
    ds = demo.load()
    assert ds.counts() == COUNTS | STATUTORY_COUNTS
    assert ds.fingerprint() == read_path(demo.DATA).fingerprint()
    assert programme_size_of(ds) == 14  # a record of the data, not a constant keyed on the name
    assert "Россия" in ds.countries["name_local"].to_list()


def test_headline_figures_unchanged() -> None:
    # figures of `importsub demo` (percentages, 2 decimals; moved by issue 17)
    h = demo_headline(demo.load())
    oems = next(v for k, v in h.items() if k.startswith("import content"))
    row = {r[oems.columns[0]]: r for r in oems.iter_rows(named=True)}["AVTOVAZ"]
    figures = [round(v, 2) for v in row.values() if isinstance(v, float)]
    assert figures == [458350.0, 11.53, 21.31, 87.67]  # issue 17: AvtoVAZ buys some plastics modules from CN
    entries = next(v for k, v in h.items() if "entry points" in k)
    assert entries.row(0)[:4] == ("ENGINE-CN-13", "CN", "HAVAL-TULA", "SYS-ENGINE-HAVAL-JOLION")
