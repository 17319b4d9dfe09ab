"""Names of organisations, sites and parts in result tables, from ``name_local`` on Russian pages.

Analyses write the datasets' ``name`` (English or transliterated) beside each id; a Russian page shows the
record's ``name_local`` where the dataset has one (else the name stays).  Ids are never changed, and a
column is swapped only where its id column is in the same table.
"""

from __future__ import annotations

from typing import Final

import polars as pl

from importsub.model.dataset import Dataset
from importsub.web.i18n import current_language

#: name column of a result → (its id column in the same table, the record type whose names it holds)
NAME_COLUMNS: Final[dict[str, tuple[str, str]]] = {
    "site name": ("site", "sites"),
    "part name": ("part", "parts"),
    "organization name": ("organization", "organizations"),
    "OEM name": ("OEM", "organizations"),
}


def local_names(tables: dict[str, pl.DataFrame], ds: Dataset) -> dict[str, pl.DataFrame]:
    """``tables`` with their name columns in the page language (unchanged on English pages)."""
    if current_language() != "ru":
        return tables
    locals_: dict[str, pl.DataFrame] = {}
    out = {}
    for name, df in tables.items():
        for col, (id_col, table) in NAME_COLUMNS.items():
            if col not in df.columns or id_col not in df.columns or df.schema[id_col] != pl.String:
                continue
            if table not in locals_:
                records = ds.tables[table]
                locals_[table] = records.select(
                    pl.col("id").alias("__id__"), pl.col("name_local").alias("__local__")
                ).drop_nulls()
            df = (
                df.join(locals_[table], left_on=id_col, right_on="__id__", how="left", maintain_order="left")
                .with_columns(pl.coalesce(pl.col("__local__"), pl.col(col)).alias(col))
                .drop("__local__")
            )
        out[name] = df
    return out
