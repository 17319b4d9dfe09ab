"""The store on SQLite and on PostgreSQL: versions, round trips, diffs, atomic writes, migrations."""

from __future__ import annotations

import hashlib
from pathlib import Path

import polars as pl
import pytest

from importsub.model.dataset import Dataset
from importsub.model.errors import ImportsubError, NotFoundError
from importsub.store import Store, normalise_url


def test_roundtrip_and_versions(store_url: str, tiny: Dataset) -> None:
    store = Store(store_url)
    v1 = store.write_dataset(tiny, note="first")
    assert v1.version == 1
    back = store.read_dataset("tiny")
    assert back.equals(tiny)
    assert back.version == 1
    assert back.fingerprint() == tiny.fingerprint() == v1.fingerprint
    assert "Руденск" in back.sites.get_column("name_local").to_list()
    # a second import is a new immutable version; the first stays as it was
    sites = tiny.sites.with_columns(
        pl.when(pl.col("id") == "RUD").then(pl.lit("Руденск-2")).otherwise(pl.col("name_local")).alias("name_local")
    )
    changed = tiny.replace(sites=sites)
    v2 = store.write_dataset(changed)
    assert v2.version == 2
    assert store.read_dataset("tiny", 1).equals(tiny)
    assert store.read_dataset("tiny").equals(changed)
    assert [v.version for v in store.versions("tiny")] == [1, 2]
    info = store.datasets()
    assert [(d.name, d.latest, d.versions) for d in info] == [("tiny", 2, 2)]
    d = store.diff("tiny")
    assert d["summary"].filter(pl.col("table") == "sites").row(0) == ("sites", 0, 0, 1)
    row = d["changes"].row(0, named=True)
    assert row["key"] == "RUD"
    assert "name_local: Руденск → Руденск-2" in row["fields"]


def test_diff_added_removed(tmp_path: Path, tiny: Dataset) -> None:
    store = Store(str(tmp_path / "s.sqlite"))
    store.write_dataset(tiny)
    fewer = tiny.replace(inventory=tiny.inventory.head(0), countries=tiny.countries)
    more_parts = pl.concat([tiny.parts, tiny.parts.head(1).with_columns(pl.lit("NEW").alias("id"))])
    store.write_dataset(fewer.replace(parts=more_parts))
    s = store.diff("tiny", 1, 2)["summary"]
    assert s.filter(pl.col("table") == "inventory").row(0) == ("inventory", 0, 1, 0)
    assert s.filter(pl.col("table") == "parts").row(0) == ("parts", 1, 0, 0)


def test_not_found(tmp_path: Path) -> None:
    store = Store(str(tmp_path / "s.sqlite"))
    with pytest.raises(NotFoundError, match="no dataset 'nope'"):
        store.read_dataset("nope")
    with pytest.raises(NotFoundError):
        store.versions("nope")


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_failed_write_changes_nothing(store_url: str, tiny: Dataset) -> None:
    """A database error in the last table rolls the whole version back."""
    store = Store(store_url)
    store.write_dataset(tiny)
    # duplicate key in the last non-empty table violates the primary key at the very end
    bad = tiny.replace(disruptions=pl.concat([tiny.disruptions, tiny.disruptions]))
    with pytest.raises(ImportsubError, match="nothing was written"):
        store.write_dataset(bad)
    assert [v.version for v in store.versions("tiny")] == [1]
    assert store.read_dataset("tiny").equals(tiny)


def test_failed_write_sqlite_bytes_unchanged(tmp_path: Path, tiny: Dataset) -> None:
    path = tmp_path / "s.sqlite"
    store = Store(str(path))
    store.write_dataset(tiny)
    store.engine.dispose()
    before = _digest(path)
    store = Store(str(path))
    bad = tiny.replace(disruptions=pl.concat([tiny.disruptions, tiny.disruptions]))
    with pytest.raises(ImportsubError):
        store.write_dataset(bad)
    store.engine.dispose()
    assert _digest(path) == before


def test_migrations_match_schema(store_url: str) -> None:
    """The Alembic head creates exactly the tables and columns the schema describes."""
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext

    from importsub.store.tables import all_metadata

    store = Store(store_url)
    with store.engine.connect() as conn:
        ctx = MigrationContext.configure(conn)
        diffs = [
            d
            for d in compare_metadata(ctx, all_metadata())
            if not (isinstance(d, tuple) and d[0] in ("remove_table",) and d[1].name == "alembic_version")
        ]
    assert diffs == []


def test_url_normalisation(tmp_path: Path) -> None:
    assert normalise_url("postgresql://u@h/db") == "postgresql+psycopg://u@h/db"
    assert normalise_url(str(tmp_path / "x.sqlite")).startswith("sqlite:////")


def test_bad_url() -> None:
    with pytest.raises(ImportsubError, match="cannot open store"):
        Store("nosuchdriver://x/y")


def test_stored_fingerprint_travels_and_is_dropped_on_change(tmp_path: Path, tiny: Dataset) -> None:
    store = Store(str(tmp_path / "s.sqlite"))
    info = store.write_dataset(tiny)
    back = store.read_dataset("tiny")
    assert back.meta["fingerprint"] == info.fingerprint == back.fingerprint()
    changed = back.replace(inventory=back.inventory.head(0))
    assert "fingerprint" not in changed.meta
    assert changed.fingerprint() != info.fingerprint


def _migrate(store: Store, step: str, target: str) -> None:
    """Run Alembic ``upgrade``/``downgrade`` to ``target`` on the store's database."""
    from alembic import command
    from alembic.config import Config

    from importsub.store import MIGRATIONS

    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    with store.engine.begin() as conn:
        cfg.attributes["connection"] = conn
        getattr(command, step)(cfg, target)


def test_material_migration_defaults_to_false(store_url: str, tiny: Dataset) -> None:
    """Migration 0003 adds parts.material; parts stored before it read back as not materials."""
    import sqlalchemy as sa

    store = Store(store_url)
    flagged = tiny.replace(parts=tiny.parts.with_columns((pl.col("id") == "CHIP").alias("material")))
    store.write_dataset(flagged)
    assert store.read_dataset("tiny").parts.filter(pl.col("material"))["id"].to_list() == ["CHIP"]
    _migrate(store, "downgrade", "0002")  # a store as it was before the field existed
    with store.engine.connect() as conn:
        assert "material" not in {c["name"] for c in sa.inspect(conn).get_columns("parts")}
    _migrate(store, "upgrade", "head")
    with store.engine.connect() as conn:
        values = conn.execute(sa.text("SELECT material FROM parts")).scalars().all()
    assert values
    assert all(v in (False, 0) for v in values)
    back = store.read_dataset("tiny")
    assert back.parts["material"].to_list() == [False] * tiny.parts.height


def test_sqlite_import_without_the_bulk_path_reads_back_the_same(tmp_path, tiny) -> None:  # type: ignore[no-untyped-def]
    """The web server imports through SQLAlchemy (one copy of SQLite in the process): same records back."""
    bulk = Store(str(tmp_path / "bulk.sqlite"))
    plain = Store(str(tmp_path / "plain.sqlite"))
    plain.bulk_sqlite = False
    bulk.write_dataset(tiny)
    plain.write_dataset(tiny)
    a, b = bulk.read_dataset("tiny"), plain.read_dataset("tiny")
    assert a.fingerprint() == b.fingerprint() == tiny.fingerprint()
    for name in a.tables:
        assert a.tables[name].equals(b.tables[name]), name


def test_programme_role_migration(store_url: str) -> None:
    """Migration 0004 admits the programme role; down to 0003 programme users become analysts, and up again."""
    import sqlalchemy as sa

    from importsub.store import accounts

    store = Store(store_url)
    with store.engine.begin() as conn:
        accounts.create_user(conn, username="minprom", password="a long pass phrase 1", role="programme")
    _migrate(store, "downgrade", "0003")
    with store.engine.connect() as conn:
        assert conn.execute(sa.text("SELECT role FROM users WHERE username = 'minprom'")).scalar() == "analyst"
    with pytest.raises(sa.exc.IntegrityError), store.engine.begin() as conn:
        conn.execute(sa.text("UPDATE users SET role = 'programme'"))
    _migrate(store, "upgrade", "head")
    with store.engine.begin() as conn:
        conn.execute(sa.text("UPDATE users SET role = 'programme' WHERE username = 'minprom'"))
        assert accounts.get_user(conn, username="minprom").role == "programme"  # type: ignore[union-attr]
        with pytest.raises(sa.exc.IntegrityError), conn.begin_nested():
            conn.execute(sa.text("UPDATE users SET role = 'owner'"))
