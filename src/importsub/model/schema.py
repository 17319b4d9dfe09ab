"""The one schema of every record type.

Each record type is a table (the same name is the xlsx sheet, the CSV file,
the JSON key and the database table).  Its fields, their types, units,
defaults and descriptions (in English and Russian) are data here — declared by area in
:mod:`~importsub.model.schema_network`, :mod:`~importsub.model.schema_projects` and
:mod:`~importsub.model.schema_rules`, assembled in :data:`TABLES` — and everything else is derived from
them: columnar validation (:mod:`importsub.model.validate`), the pydantic
models (:mod:`importsub.model.records`), the xlsx template, the database
columns (:mod:`importsub.store.tables`) and the docs (``docs/records.md``).
This follows PyPSA's ``component_attrs`` tables: fields as data, not code.

Money is in roubles (RUB) throughout a dataset.
"""

from __future__ import annotations

from typing import Final

from importsub.model.fields import (
    CODE_KINDS,
    CODE_KINDS_RU,
    CURRENCY,
    HS_CODE_PATTERN,
    INN_PATTERN,
    ISO2_PATTERN,
    LARGEST,
    OGRN_PATTERN,
    OKPD2_PATTERN,
    ORG_KINDS,
    ORG_KINDS_RU,
    PROGRAMME,
    PROJECT_STATUSES,
    PROJECT_STATUSES_RU,
    RECOVERY_PROFILES,
    RECOVERY_PROFILES_RU,
    REGIMES,
    REGIMES_RU,
    REQUIRED,
    RULE_ITEM_KINDS,
    RULE_ITEM_KINDS_RU,
    TARGET_KINDS,
    TARGET_KINDS_RU,
    Field,
    FieldType,
    Owner,
    OwnerKind,
    RecordType,
    Ref,
)
from importsub.model.schema_network import NETWORK
from importsub.model.schema_projects import PROGRAMME_TABLES
from importsub.model.schema_rules import RULES

__all__ = [
    "CODE_KINDS",
    "CODE_KINDS_RU",
    "CURRENCY",
    "HS_CODE_PATTERN",
    "INN_PATTERN",
    "ISO2_PATTERN",
    "LARGEST",
    "OGRN_PATTERN",
    "OKPD2_PATTERN",
    "ORG_KINDS",
    "ORG_KINDS_RU",
    "PROGRAMME",
    "PROJECT_STATUSES",
    "PROJECT_STATUSES_RU",
    "RECOVERY_PROFILES",
    "RECOVERY_PROFILES_RU",
    "REGIMES",
    "REGIMES_RU",
    "REQUIRED",
    "RULE_ITEM_KINDS",
    "RULE_ITEM_KINDS_RU",
    "TABLES",
    "TABLES_BY_NAME",
    "TABLE_NAMES",
    "TARGET_KINDS",
    "TARGET_KINDS_RU",
    "Field",
    "FieldType",
    "Owner",
    "OwnerKind",
    "RecordType",
    "Ref",
    "all_refs",
    "table",
]


TABLES: Final[tuple[RecordType, ...]] = NETWORK + PROGRAMME_TABLES + RULES

TABLES_BY_NAME: Final[dict[str, RecordType]] = {t.name: t for t in TABLES}
TABLE_NAMES: Final[tuple[str, ...]] = tuple(t.name for t in TABLES)


def table(name: str) -> RecordType:
    """The record type called ``name`` (a table, sheet, CSV file or JSON key)."""
    try:
        return TABLES_BY_NAME[name]
    except KeyError:
        raise KeyError(f"unknown record type {name!r}; known: {', '.join(TABLE_NAMES)}") from None


def all_refs(rt: RecordType) -> tuple[Ref, ...]:
    """The references of a record type: its single-field ``ref`` shortcuts and its composite ``refs`` together."""
    single = tuple(Ref((f.name,), f.ref, TABLES_BY_NAME[f.ref].key) for f in rt.fields if f.ref)
    return single + rt.refs
