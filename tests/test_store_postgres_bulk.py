"""PostgreSQL bulk path (store/postgres.py): key built after a first load, per-row reference checks skipped.

``INDEX_AFTER_ROWS`` is lowered to 1 so that the tiny dataset takes the
drop-key / COPY / add-key path; every test then checks that each record
table has its primary key again and that what was written reads back.
"""

from __future__ import annotations

import threading
import uuid
from collections.abc import Iterator

import pytest
import sqlalchemy as sa

import importsub.store.postgres as pg_bulk
from importsub.model.dataset import Dataset
from importsub.model.errors import ImportsubError
from importsub.model.schema import TABLES
from importsub.store import Store


@pytest.fixture
def index_after_every_load(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(pg_bulk, "INDEX_AFTER_ROWS", 1)


def _keys(url: str) -> dict[str, list[str]]:
    """Primary-key columns of every record table, as PostgreSQL has them."""
    eng = sa.create_engine(url)
    try:
        with eng.connect() as conn:
            out = {}
            for rt in TABLES:
                rows = conn.execute(
                    sa.text(
                        "SELECT a.attname FROM pg_index i JOIN pg_attribute a "
                        "ON a.attrelid = i.indrelid AND a.attnum = ANY(i.indkey) "
                        "WHERE i.indrelid = CAST(:t AS regclass) AND i.indisprimary ORDER BY array_position(i.indkey, a.attnum)"
                    ),
                    {"t": f'"{rt.name}"'},
                ).all()
                out[rt.name] = [r[0] for r in rows]
            return out
    finally:
        eng.dispose()


def _expected_keys() -> dict[str, list[str]]:
    return {rt.name: ["version_id", *rt.key] for rt in TABLES}


def test_first_load_builds_the_key_after_and_later_loads_keep_it(
    pg_url: str, tiny: Dataset, index_after_every_load: None
) -> None:
    store = Store(pg_url)
    store.write_dataset(tiny, name="a")
    assert _keys(pg_url) == _expected_keys()
    store.write_dataset(tiny, name="b")  # tables hold rows now: the key stays in place
    store.write_dataset(tiny, name="a")
    assert _keys(pg_url) == _expected_keys()
    for name, version in (("a", 1), ("b", 1), ("a", 2)):
        assert store.read_dataset(name, version).equals(tiny)
    # the rebuilt key is enforced
    rt = next(rt for rt in TABLES if tiny.tables[rt.name].height)
    cols = ", ".join(f'"{c}"' for c in ("version_id", *rt.field_names))
    with store.engine.connect() as conn, pytest.raises(sa.exc.IntegrityError):
        conn.execute(sa.text(f'INSERT INTO "{rt.name}" ({cols}) SELECT {cols} FROM "{rt.name}" LIMIT 1'))
    store.close()


def test_failing_first_load_leaves_the_keys_and_nothing_written(
    pg_url: str, tiny: Dataset, index_after_every_load: None
) -> None:
    store = Store(pg_url)
    tables_seen: list[str] = []

    def fail_on_second_table(table: str, done: int, total: int) -> None:
        if tables_seen and table != tables_seen[-1]:
            raise ImportsubError("stop here")
        tables_seen.append(table)

    with pytest.raises(ImportsubError, match="stop here"):
        store.write_dataset(tiny, progress=fail_on_second_table)
    assert tables_seen  # the first table's key was dropped and its rows copied before the failure
    assert _keys(pg_url) == _expected_keys()
    assert store.datasets() == []
    with store.engine.connect() as conn:
        assert sum(conn.execute(sa.text(f'SELECT count(*) FROM "{rt.name}"')).scalar_one() for rt in TABLES) == 0
    store.close()


def test_concurrent_first_loads_all_land(pg_url: str, tiny: Dataset, index_after_every_load: None) -> None:
    Store(pg_url).close()  # migrated once; the imports race on the empty tables
    barrier = threading.Barrier(4)
    versions: list[int] = []
    errors: list[BaseException] = []

    def racer(i: int) -> None:
        store = Store(pg_url)
        try:
            barrier.wait()
            versions.append(store.write_dataset(tiny, name="race" if i % 2 else f"own{i}").version)
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)
        finally:
            store.close()

    threads = [threading.Thread(target=racer, args=(i,)) for i in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert not errors, errors
    assert sorted(versions) == [1, 1, 1, 2]
    assert _keys(pg_url) == _expected_keys()
    store = Store(pg_url)
    assert [v.version for v in store.versions("race")] == [1, 2]
    for name in ("own0", "own2"):
        assert store.read_dataset(name).equals(tiny)
    store.close()


@pytest.fixture
def plain_role_url(pg_url: str) -> Iterator[str]:
    """``pg_url`` as a role that is not a superuser (it may not turn triggers off)."""
    base, options = pg_url.split("?", 1)
    schema = options.rsplit("%3D", 1)[1]
    role = f"r_{uuid.uuid4().hex[:10]}"
    eng = sa.create_engine(base)
    with eng.begin() as conn:
        conn.execute(sa.text(f'CREATE ROLE "{role}" LOGIN'))
        conn.execute(sa.text(f'GRANT ALL ON SCHEMA "{schema}" TO "{role}"'))
    try:
        yield base.replace("postgres@", f"{role}@", 1) + "?" + options
    finally:
        with eng.begin() as conn:
            conn.execute(sa.text(f'DROP OWNED BY "{role}" CASCADE'))
            conn.execute(sa.text(f'DROP ROLE "{role}"'))
        eng.dispose()


def test_a_role_that_may_not_skip_reference_checks_still_imports(plain_role_url: str, tiny: Dataset) -> None:
    store = Store(plain_role_url)
    with store.engine.begin() as conn:
        assert conn.exec_driver_sql("SELECT rolsuper FROM pg_roles WHERE rolname = current_user").scalar() is False
        assert pg_bulk.skip_reference_checks(conn) is False
    store.write_dataset(tiny)
    assert store.read_dataset("tiny").equals(tiny)
    store.close()
