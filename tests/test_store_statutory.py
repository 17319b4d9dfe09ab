"""Migration 0007: the statutory-localisation tables and fields, on SQLite and PostgreSQL."""

from __future__ import annotations

import polars as pl
import sqlalchemy as sa

from importsub.model.dataset import Dataset
from importsub.store import Store
from test_compliance import dataset
from test_store import _migrate

NEW_TABLES = ("rules", "rule_items", "rule_thresholds", "site_operations", "registry_entries")


def test_statutory_migration_round_trip(store_url: str, tiny: Dataset) -> None:
    store = Store(store_url)
    store.write_dataset(tiny)
    _migrate(store, "downgrade", "0005")  # a store as it was before the records existed
    with store.engine.connect() as conn:
        inspector = sa.inspect(conn)
        assert not any(inspector.has_table(t) for t in NEW_TABLES)
        assert "inn" not in {c["name"] for c in inspector.get_columns("organizations")}
    _migrate(store, "upgrade", "head")
    back = store.read_dataset("tiny")
    assert back.organizations["inn"].null_count() == back.organizations.height  # stored before: empty
    assert back.parts["okpd2"].null_count() == back.parts.height
    ds = dataset()
    store.write_dataset(ds)
    again = store.read_dataset("compliance")
    for name in (*NEW_TABLES, "organizations", "parts"):
        assert again.canonical(name).equals(ds.canonical(name)), name
    assert again.registry_entries.filter(pl.col("number") == "R-2")["ogrn"][0] == "1027700132195"
