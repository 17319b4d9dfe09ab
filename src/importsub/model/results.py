"""What every analysis result holds: its tables and columns, declared once, with whose figure each column is.

The declarations are data (``model/data/result_*.csv``, read once):

* ``result_columns.csv`` — every result column name (the unit in brackets is
  part of the name: ``lost margin [RUB]``) with its description in English
  and Russian and its Russian label (``упущенная маржа [руб.]``).  A name
  means the same in every table that has it.
* ``result_table_names.csv`` — every table of every analysis kind, described.
* ``result_tables.csv`` — which columns each table has and who owns each
  figure (:class:`Figure`); the pseudo-column :data:`ROWS` says whose figures
  decide which rows a table has.  ``terminal`` (``1``) marks the key columns
  a terminal shows by default (``--wide`` shows all).

Writers, docs, labels and the web's confidentiality read these declarations;
a column an analysis returns without a declaration is an error of the
analysis (:func:`undeclared`), and the web hides it from everyone but
administrators.

Owners (``owner`` in ``result_tables.csv``):

=============  ===============  ==================================================
owner          owner column     the figure is
=============  ===============  ==================================================
public         —                derived from public records only (names, demand,
                                the programme's records)
site           a site id        of the organisation of that site (a node's output,
                                capacity, a buyer's shares)
organization   an organisation  of that organisation (an OEM's losses)
aggregate      key column       a sum over several organisations' figures, shown
               (``*``: table)   when the disclosure rule passes for the
                                contributors named by ``basis``
secret         —                nobody's but administrators'
=============  ===============  ==================================================
"""

from __future__ import annotations

import csv
import functools
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from importlib import resources
from typing import Final, Literal

FigureKind = Literal["public", "site", "organization", "aggregate", "secret"]
_KINDS: Final = ("public", "site", "organization", "aggregate", "secret")

ROWS: Final = "(rows)"
"""Pseudo-column of ``result_tables.csv``: which rows a table has follows from figures (e.g. the choke points,
listed where a supplier holds a large share), so the rows themselves are shown under that owner's rule."""

WHOLE_TABLE: Final = "*"
"""Key column of an aggregate that sums over the whole table (e.g. a scenario's total loss)."""

BASES: Final = (
    "producers",
    "buyers",
    "countries",
    "oems",
    "network",
    "project buyers",
    "project producers",
    "categories",
    "upstream",
)
"""Who contributes to an aggregate: a part's producers or buyers inside the analysis group, a country's producers,
the OEMs (whole table), every producing organisation, a project's buyers or the makers of its outputs, the makers
of a part category, the organisations in the supply tree of a vehicle or an OEM."""


@dataclass(frozen=True)
class Figure:
    """Whose figure a result column is (see the module docstring).

    Examples
    --------
    >>> Figure("aggregate", "part", ("producers", "buyers")).describe()
    'a sum over the producers and buyers of each `part` (disclosure rule)'
    """

    kind: FigureKind
    column: str | None = None
    bases: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        if self.kind not in _KINDS:
            raise ValueError(f"unknown owner {self.kind!r}; one of {', '.join(_KINDS)}")
        needs_column = self.kind in ("site", "organization", "aggregate")
        if needs_column != bool(self.column):
            raise ValueError(f"owner {self.kind!r} {'needs' if needs_column else 'takes no'} owner column")
        if (self.kind == "aggregate") != bool(self.bases):
            raise ValueError(f"owner {self.kind!r}: a basis is {'needed' if self.kind == 'aggregate' else 'not used'}")
        unknown = [b for b in self.bases if b not in BASES]
        if unknown:
            raise ValueError(f"unknown basis {', '.join(unknown)}; one of {', '.join(BASES)}")

    def describe(self) -> str:
        """The rule in words (docs)."""
        if self.kind == "aggregate":
            whom = " and ".join(self.bases)
            where = "the whole table" if self.column == WHOLE_TABLE else f"each `{self.column}`"
            return f"a sum over the {whom} of {where} (disclosure rule)"
        return {
            "public": "public",
            "site": f"the organisation of the site in `{self.column}`",
            "organization": f"the organisation in `{self.column}`",
            "secret": "administrators only",
        }[self.kind]


PUBLIC: Final = Figure("public")
SECRET: Final = Figure("secret")


@dataclass(frozen=True)
class ResultColumn:
    """One result column: its name (with the unit), what it means, in English and Russian, and its Russian label.

    Examples
    --------
    >>> c = result_columns()["lost margin [RUB]"]
    >>> c.label, c.unit, c.heading("ru")
    ('lost margin', 'RUB', 'упущенная маржа [руб.]')
    """

    name: str
    description: str
    description_ru: str
    label_ru: str = ""

    @property
    def label(self) -> str:
        """The name without its unit: ``lost margin``."""
        return split_unit(self.name)[0]

    @property
    def unit(self) -> str | None:
        """The unit in brackets at the end of the name (``RUB``), or None."""
        return split_unit(self.name)[1]

    @property
    def declared(self) -> bool:
        """Whether the column is declared (an undeclared one, from :func:`column`, has no description)."""
        return bool(self.description)

    def heading(self, lang: str = "en") -> str:
        """The column header in ``lang`` (``en``: the name itself; ``ru``: the Russian label, unit included)."""
        return (self.label_ru or self.name) if lang == "ru" else self.name

    def describe(self, lang: str = "en") -> str:
        """The description in ``lang`` (empty for an undeclared column)."""
        return self.description_ru if lang == "ru" else self.description


@dataclass(frozen=True)
class ResultTable:
    """One table of an analysis kind: its columns in order and whose figure each is."""

    analysis: str
    name: str
    description: str
    description_ru: str
    owners: Mapping[str, Figure]
    terminal: tuple[str, ...] = ()
    """The key columns a terminal shows by default, in table order (empty: all)."""
    label_ru: str = ""
    """The table's name in Russian (an XLSX sheet name: at most 31 characters, none of ``\\/?*[]:``)."""

    def heading(self, lang: str = "en") -> str:
        """The table's name in ``lang`` (Russian: :attr:`label_ru`, else the name)."""
        return (self.label_ru or self.name) if lang == "ru" else self.name

    @property
    def columns(self) -> tuple[ResultColumn, ...]:
        cols = result_columns()
        return tuple(cols[c] for c in self.owners if c != ROWS)


_UNIT = re.compile(r"^(.*?)\s*\[([^\[\]]+)\]$")


def split_unit(name: str) -> tuple[str, str | None]:
    """A column name's label and unit.

    Examples
    --------
    >>> split_unit("lost margin [RUB]"), split_unit("OEM")
    (('lost margin', 'RUB'), ('OEM', None))
    """
    m = _UNIT.match(name)
    return (m.group(1), m.group(2)) if m else (name, None)


def _rows(name: str) -> list[dict[str, str]]:
    text = resources.files("importsub.model").joinpath("data", name).read_text(encoding="utf-8")
    return list(csv.DictReader(text.splitlines()))


@functools.cache
def result_columns() -> dict[str, ResultColumn]:
    """Every declared result column by name."""
    out: dict[str, ResultColumn] = {}
    for i, row in enumerate(_rows("result_columns.csv"), start=2):
        name = row["column"]
        if name in out:
            raise ValueError(f"result_columns.csv row {i}: column {name!r} declared twice")
        # (a row appended without the label_ru field reads as None: undeclared label, caught by the tests)
        out[name] = ResultColumn(name, row["description"], row["description_ru"], row.get("label_ru") or "")
    return out


def column(name: str) -> ResultColumn:
    """The declaration of the column ``name``; an undeclared one gets its label and unit from the name only.

    Examples
    --------
    >>> column("vehicles 2026 [units/yr]").unit, column("vehicles 2026 [units/yr]").declared
    ('units/yr', False)
    """
    return result_columns().get(name) or ResultColumn(name, "", "")


@functools.cache
def result_tables() -> dict[tuple[str, str], ResultTable]:
    """Every declared result table by (analysis kind, table name)."""
    columns = result_columns()
    names = {(r["analysis"], r["table"]): r for r in _rows("result_table_names.csv")}
    owners: dict[tuple[str, str], dict[str, Figure]] = {}
    terminal: dict[tuple[str, str], list[str]] = {}
    for i, row in enumerate(_rows("result_tables.csv"), start=2):
        where = f"result_tables.csv row {i}"
        key, col = (row["analysis"], row["table"]), row["column"]
        if col not in columns and col != ROWS:
            raise ValueError(f"{where}: column {col!r} is not in result_columns.csv")
        if key not in names:
            raise ValueError(f"{where}: table {key[0]}/{key[1]} is not in result_table_names.csv")
        table = owners.setdefault(key, {})
        if col in table:
            raise ValueError(f"{where}: column {col!r} of {key[0]}/{key[1]} declared twice")
        bases = tuple(b for b in row["basis"].split("+") if b)
        try:
            table[col] = Figure(row["owner"], row["owner column"] or None, bases)  # type: ignore[arg-type]
        except ValueError as exc:
            raise ValueError(f"{where}: {exc}") from None
        flag = (row.get("terminal") or "").strip()
        if flag not in ("", "1"):
            raise ValueError(f"{where}: terminal is {flag!r}; 1 (a key column for a screen) or empty")
        if flag and col != ROWS:
            terminal.setdefault(key, []).append(col)
    return {
        key: ResultTable(
            key[0],
            key[1],
            r["description"],
            r["description_ru"],
            owners.get(key, {}),
            tuple(terminal.get(key, ())),
            # (a row appended without the label_ru field reads as None: caught by the declaration tests)
            r.get("label_ru") or "",
        )
        for key, r in names.items()
    }


def table_owners(analysis: str, table: str) -> Mapping[str, Figure]:
    """Column -> owner of one table of an analysis kind (empty for an undeclared table)."""
    t = result_tables().get((analysis, table))
    return t.owners if t else {}


def undeclared(analysis: str, tables: Mapping[str, Iterable[str]]) -> list[str]:
    """``table/column`` of every column in ``tables`` (name -> its columns) that ``analysis`` does not declare."""
    out = []
    for table, cols in tables.items():
        declared = table_owners(analysis, table)
        out += [f"{analysis}/{table}/{c}" for c in cols if c not in declared]
    return out
