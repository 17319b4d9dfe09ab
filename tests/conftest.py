"""Shared fixtures: a tiny hand-made dataset, stores on SQLite and PostgreSQL."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import polars as pl
import pytest

from importsub.model.dataset import Dataset
from importsub.model.validate import check

# a write that waits for a lock it can never get (a deadlock) fails within two minutes, not ten
os.environ.setdefault("IMPORTSUB_WRITE_WAIT", "120")

PG_BASE = os.environ.get("IMPORTSUB_TEST_PG", "postgresql+psycopg://postgres@127.0.0.1:5432/test")


def tiny_frames() -> dict[str, pl.DataFrame]:
    """A 3-tier network: a car at Togliatti (RU), a headlamp at Rudensk (BY) and
    in DE, an LED chip from CN.  Small enough to check by hand."""
    return {
        "countries": pl.DataFrame(
            {
                "iso2": ["BY", "RU", "DE", "CN"],
                "name": ["Belarus", "Russia", "Germany", "China"],
                "name_local": ["Беларусь", "Россия", "Германия", "Китай"],
            }
        ),
        "country_groups": pl.DataFrame(
            {"group": ["union", "union", "external", "external"], "iso2": ["BY", "RU", "DE", "CN"]}
        ),
        "organizations": pl.DataFrame(
            {
                "id": ["AVTOVAZ", "OPTICS-BY", "LAMP-DE", "CHIP-CN"],
                "name": ["AvtoVAZ", "Optics plant Rudensk", "Headlamp maker DE-1", "LED chip maker CN-1"],
                "name_local": ["АвтоВАЗ", "Оптика Руденск", None, None],
                "country": ["RU", "BY", "DE", "CN"],
                "kind": ["oem", "supplier", "supplier", "supplier"],
            }
        ),
        "sites": pl.DataFrame(
            {
                "id": ["TLT", "RUD", "DE1", "CN1"],
                "organization": ["AVTOVAZ", "OPTICS-BY", "LAMP-DE", "CHIP-CN"],
                "name": ["Togliatti", "Rudensk", "Headlamp plant DE-1", "Chip fab CN-1"],
                "name_local": ["Тольятти", "Руденск", None, None],
                "country": ["RU", "BY", "DE", "CN"],
                "region": ["Samara region", "Minsk region", None, None],
                "lat": [53.51, 53.60, 48.78, 22.54],
                "lon": [49.42, 27.86, 9.18, 114.06],
            }
        ),
        "parts": pl.DataFrame(
            {
                "id": ["CAR", "LAMP", "CHIP"],
                "name": ["Passenger car", "Headlamp", "LED chip"],
                "name_local": ["Легковой автомобиль", "Фара", "Светодиод"],
                "category": ["vehicle", "lighting", "electronics"],
                "unit": ["pcs", "pcs", "pcs"],
                "hs_code": ["8703", "8512", "8541"],
                "unit_value": [1_000_000.0, 10_000.0, 500.0],
            }
        ),
        "bom": pl.DataFrame({"parent": ["CAR", "LAMP"], "child": ["LAMP", "CHIP"], "quantity": [2.0, 4.0]}),
        "production": pl.DataFrame(
            {
                "site": ["TLT", "RUD", "DE1", "CN1"],
                "part": ["CAR", "LAMP", "LAMP", "CHIP"],
                "capacity": [400_000.0, 500_000.0, 1_000_000.0, 10_000_000.0],
                "unit_value": [None, 9_000.0, 12_000.0, None],
                "time_to_recover": [8.0, 4.0, 6.0, 12.0],
            }
        ),
        "inventory": pl.DataFrame({"site": ["TLT"], "part": ["LAMP"], "units": [20_000.0]}),
        "supply_links": pl.DataFrame(
            {
                "buyer": ["TLT", "TLT", "RUD"],
                "part": ["LAMP", "LAMP", "CHIP"],
                "supplier": ["RUD", "DE1", "CN1"],
                "share": [0.75, 0.25, 1.0],
                "lead_time": [1.0, 6.0, 10.0],
                "qualified": [True, True, True],
            }
        ),
        "demand": pl.DataFrame(
            {"site": ["TLT"], "part": ["CAR"], "year": [2025], "units": [300_000.0], "margin": [150_000.0]}
        ),
        "projects": pl.DataFrame(
            {
                "id": ["P-LED"],
                "name": ["LED optics"],
                "name_local": ["Светодиодная оптика"],
                "host_site": ["RUD"],
                "capex": [2.0e9],
                "status": ["construction"],
            }
        ),
        "milestones": pl.DataFrame(
            {"project": ["P-LED"], "name": ["line installed"], "due": [date(2025, 6, 30)], "done": [None]},
            schema_overrides={"done": pl.Date},
        ),
        "scenarios": pl.DataFrame({"name": ["cn-8w"], "description": ["China stops for 8 weeks"], "year": [2025]}),
        "disruptions": pl.DataFrame(
            {"scenario": ["cn-8w"], "target_kind": ["country"], "target": ["CN"], "severity": [1.0], "duration": [8.0]}
        ),
    }


@pytest.fixture
def tiny() -> Dataset:
    return check(Dataset.from_frames("tiny", tiny_frames()))


def _pg_reachable() -> bool:
    import sqlalchemy as sa

    try:
        eng = sa.create_engine(PG_BASE)
        with eng.connect():
            pass
        eng.dispose()
        return True
    except Exception:
        return False


@pytest.fixture
def pg_url() -> Iterator[str]:
    """A fresh PostgreSQL schema for one test (dropped afterwards).

    Skipped when the server is unreachable, except under CI where that is a failure.
    """
    import sqlalchemy as sa

    if not _pg_reachable():
        if os.environ.get("CI"):
            pytest.fail(f"PostgreSQL is required under CI but {PG_BASE} is unreachable")
        pytest.skip("PostgreSQL not reachable")
    schema = f"t_{uuid.uuid4().hex[:12]}"
    eng = sa.create_engine(PG_BASE)
    with eng.begin() as conn:
        conn.execute(sa.text(f'CREATE SCHEMA "{schema}"'))
    try:
        yield f"{PG_BASE}?options=-csearch_path%3D{schema}"
    finally:
        with eng.begin() as conn:
            conn.execute(sa.text(f'DROP SCHEMA "{schema}" CASCADE'))
        eng.dispose()


@pytest.fixture(params=["sqlite", "postgresql"])
def store_url(request: pytest.FixtureRequest, tmp_path) -> str:  # type: ignore[no-untyped-def]
    if request.param == "sqlite":
        return str(tmp_path / "store.sqlite")
    return str(request.getfixturevalue("pg_url"))


# Heavy tests (several seconds each on a 2-core machine: subprocesses, concurrent stores,
# a browser, fuzzing, big random cases).  `pytest -m "not slow"` leaves them out for a fast
# inner loop; the whole suite (README's test command) runs them all.
SLOW_MODULES = (
    "test_interrupt.py",
    "test_store_races.py",
    "test_determinism.py",
    "test_browser.py",
    "test_schemathesis.py",
)
# one `path::test` per line, measured (see the file's head)
SLOW_TESTS = frozenset(
    line
    for line in (Path(__file__).parent / "slow_tests.txt").read_text(encoding="utf-8").splitlines()
    if line and not line.startswith("#")
)


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    for item in items:
        module = item.path.name
        name = item.originalname if isinstance(item, pytest.Function) else item.name
        test = f"{item.path.relative_to(Path(__file__).parent).as_posix()}::{name}"
        if module in SLOW_MODULES or module.startswith("test_browser") or test in SLOW_TESTS:
            item.add_marker(pytest.mark.slow)
