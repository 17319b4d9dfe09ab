"""The in-memory dataset: one typed polars DataFrame per record type.

A :class:`Dataset` is the container every layer passes around (files are read
into one, the store writes and reads one, ``compile`` turns one into a
``Network``).  Tables are accessed by name as typed properties
(``ds.supply_links``), PyPSA-style; they are generated from the schema by
:func:`accessor_source` (a test checks they are in step).  A Dataset is treated as immutable: the
methods return new objects.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

import polars as pl

from importsub.model.schema import TABLE_NAMES, TABLES, FieldType, RecordType, table

POLARS_TYPES: dict[FieldType, pl.DataType] = {
    "str": pl.String(),
    "int": pl.Int64(),
    "float": pl.Float64(),
    "bool": pl.Boolean(),
    "date": pl.Date(),
}


def polars_schema(rt: RecordType) -> dict[str, pl.DataType]:
    """Column name -> polars dtype of a record type."""
    return {f.name: POLARS_TYPES[f.type] for f in rt.fields}


def empty_frame(rt: RecordType) -> pl.DataFrame:
    return pl.DataFrame(schema=polars_schema(rt))


def accessor_source() -> str:
    """The source of the table properties of :class:`Dataset`, one per record type of the schema."""
    lines = [
        "    # --- table accessors, one per record type (generated from the schema; tests/test_records.py checks)\n"
    ]
    for rt in TABLES:
        lines.append(
            f'    @property\n    def {rt.name}(self) -> pl.DataFrame:\n        return self.tables["{rt.name}"]\n\n'
        )
    lines.append("    # --- end of table accessors\n")
    return "".join(lines)


def content_fingerprint(canonical: Mapping[str, pl.DataFrame]) -> str:
    """SHA-256 over every table (sorted by key) written as CSV."""
    h = hashlib.sha256()
    for name in TABLE_NAMES:
        h.update(name.encode())
        h.update(canonical[name].write_csv(include_header=True).encode())
    return h.hexdigest()


@dataclass(frozen=True)
class Dataset:
    """All records of one dataset version, one DataFrame per record type.

    Examples
    --------
    >>> ds = Dataset.empty("example")
    >>> ds.sites.height
    0
    >>> sorted(ds.counts())[:2]
    ['bom', 'capacity_pools']
    """

    name: str
    tables: Mapping[str, pl.DataFrame]
    version: int | None = None
    meta: Mapping[str, Any] = field(default_factory=dict)

    @classmethod
    def empty(cls, name: str = "dataset") -> Dataset:
        return cls(name, {t.name: empty_frame(t) for t in TABLES})

    @classmethod
    def from_frames(
        cls, name: str, frames: Mapping[str, pl.DataFrame], *, version: int | None = None, **meta: Any
    ) -> Dataset:
        """Build from already-typed frames; missing tables are empty.

        Columns are put in schema order and cast to the schema's dtypes; this
        does not validate content (see :func:`importsub.model.validate.check`).
        """
        tables: dict[str, pl.DataFrame] = {}
        for rt in TABLES:
            df = frames.get(rt.name)
            if df is None:
                tables[rt.name] = empty_frame(rt)
                continue
            schema = polars_schema(rt)
            cols = []
            for f in rt.fields:
                if f.name in df.columns:
                    cols.append(pl.col(f.name).cast(schema[f.name]))
                else:
                    default = None if f.required else f.default
                    cols.append(pl.lit(default, dtype=schema[f.name]).alias(f.name))
            tables[rt.name] = df.select(cols)
        unknown = set(frames) - set(TABLE_NAMES)
        if unknown:
            raise KeyError(f"unknown record types: {', '.join(sorted(unknown))}")
        return cls(name, tables, version, dict(meta))

    # --- table accessors, one per record type (generated from the schema; tests/test_records.py checks)
    @property
    def countries(self) -> pl.DataFrame:
        return self.tables["countries"]

    @property
    def country_groups(self) -> pl.DataFrame:
        return self.tables["country_groups"]

    @property
    def organizations(self) -> pl.DataFrame:
        return self.tables["organizations"]

    @property
    def sites(self) -> pl.DataFrame:
        return self.tables["sites"]

    @property
    def parts(self) -> pl.DataFrame:
        return self.tables["parts"]

    @property
    def bom(self) -> pl.DataFrame:
        return self.tables["bom"]

    @property
    def production(self) -> pl.DataFrame:
        return self.tables["production"]

    @property
    def capacity_pools(self) -> pl.DataFrame:
        return self.tables["capacity_pools"]

    @property
    def inventory(self) -> pl.DataFrame:
        return self.tables["inventory"]

    @property
    def supply_links(self) -> pl.DataFrame:
        return self.tables["supply_links"]

    @property
    def demand(self) -> pl.DataFrame:
        return self.tables["demand"]

    @property
    def projects(self) -> pl.DataFrame:
        return self.tables["projects"]

    @property
    def project_partners(self) -> pl.DataFrame:
        return self.tables["project_partners"]

    @property
    def project_outputs(self) -> pl.DataFrame:
        return self.tables["project_outputs"]

    @property
    def project_rampup(self) -> pl.DataFrame:
        return self.tables["project_rampup"]

    @property
    def milestones(self) -> pl.DataFrame:
        return self.tables["milestones"]

    @property
    def project_substitutes(self) -> pl.DataFrame:
        return self.tables["project_substitutes"]

    @property
    def scenarios(self) -> pl.DataFrame:
        return self.tables["scenarios"]

    @property
    def disruptions(self) -> pl.DataFrame:
        return self.tables["disruptions"]

    @property
    def demand_changes(self) -> pl.DataFrame:
        return self.tables["demand_changes"]

    @property
    def scenario_projects(self) -> pl.DataFrame:
        return self.tables["scenario_projects"]

    @property
    def programme(self) -> pl.DataFrame:
        return self.tables["programme"]

    @property
    def rules(self) -> pl.DataFrame:
        return self.tables["rules"]

    @property
    def rule_items(self) -> pl.DataFrame:
        return self.tables["rule_items"]

    @property
    def rule_thresholds(self) -> pl.DataFrame:
        return self.tables["rule_thresholds"]

    @property
    def site_operations(self) -> pl.DataFrame:
        return self.tables["site_operations"]

    @property
    def registry_entries(self) -> pl.DataFrame:
        return self.tables["registry_entries"]

    # --- end of table accessors

    def counts(self) -> dict[str, int]:
        """Number of records of every type."""
        return {name: self.tables[name].height for name in TABLE_NAMES}

    def replace(self, **frames: pl.DataFrame) -> Dataset:
        """A copy with some tables replaced."""
        for name in frames:
            table(name)
        # new content: a stored fingerprint no longer applies
        meta = {k: v for k, v in self.meta.items() if k != "fingerprint"}
        return Dataset(self.name, {**self.tables, **frames}, None, meta)

    def canonical(self, name: str) -> pl.DataFrame:
        """A table sorted by its key, for comparison and hashing."""
        rt = table(name)
        return self.tables[name].sort(list(rt.key), nulls_last=True)

    def canonical_tables(self) -> dict[str, pl.DataFrame]:
        """Every table sorted by its key."""
        return {name: self.canonical(name) for name in TABLE_NAMES}

    def fingerprint(self) -> str:
        """SHA-256 of the canonical content (independent of row order and name).

        A dataset read from the store carries the fingerprint stored with its
        version (``meta["fingerprint"]``), computed from the same content.
        """
        stored = self.meta.get("fingerprint")
        if isinstance(stored, str):
            return stored
        return content_fingerprint(self.canonical_tables())

    def equals(self, other: Dataset) -> bool:
        """Same records (order ignored)."""
        return all(self.canonical(n).equals(other.canonical(n)) for n in TABLE_NAMES)

    def rows(self, name: str) -> Iterable[dict[str, Any]]:
        return self.tables[name].iter_rows(named=True)
