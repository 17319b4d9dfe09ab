"""Who owns a record, from the record schema's :class:`~importsub.model.schema.Owner` declarations.

One rule for every write path (the record API, scenario and project routes, the web forms, contributions):
a user may add, change or delete a row only when their organisation owns it — its own sites and everything
at them, the supply links its sites buy on, the BOM of a part only it makes, the projects it is a partner
of — or, for the programme's records (the programme record, countries, groups, organisations, parts, scenarios, project
partners), when they act for the programme.  Which organisation a site belongs to changes only by the
programme.  Owners are judged from non-confidential columns (sites, production keys, partners), so a
refusal reveals no figure.

>>> import polars as pl
>>> from importsub.model.dataset import Dataset
>>> ds = Dataset.from_frames("x", {
...     "sites": pl.DataFrame({"id": ["A1", "B1"], "organization": ["A", "B"], "name": ["a", "b"],
...                            "country": ["RU", "BY"]}),
... })
>>> row_owners("inventory", pl.DataFrame({"site": ["A1", "B1", "Z9"]}), ds)
[frozenset({'A'}), frozenset({'B'}), frozenset()]
>>> row_owners("countries", pl.DataFrame({"iso2": ["RU"]}), ds)
[None]
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Literal

import polars as pl

from importsub.model.dataset import Dataset
from importsub.model.schema import table

Owners = frozenset[str] | None
"""The organisations owning a row; None: the programme's."""

Role = Literal["admin", "programme", "analyst", "viewer"]


@dataclass(frozen=True)
class Actor:
    """Who writes: a role and the organisation the user belongs to."""

    role: str
    organization: str | None

    @property
    def is_admin(self) -> bool:
        return self.role == "admin"

    @property
    def for_programme(self) -> bool:
        return self.role in ("admin", "programme")


def _site_orgs(ds: Dataset, extra_sites: pl.DataFrame | None) -> dict[str, str]:
    owners = dict(ds.sites.select("id", "organization").iter_rows())
    if extra_sites is not None and extra_sites.height and "organization" in extra_sites.columns:
        owners.update(dict(extra_sites.select("id", "organization").iter_rows()))
    return owners


def _partners(ds: Dataset) -> dict[str, frozenset[str]]:
    out: dict[str, set[str]] = {}
    for project, org in ds.project_partners.select("project", "organization").iter_rows():
        out.setdefault(project, set()).add(org)
    return {k: frozenset(v) for k, v in out.items()}


def _producers(ds: Dataset, sites: Mapping[str, str]) -> dict[str, frozenset[str]]:
    out: dict[str, set[str]] = {}
    for site, part in ds.production.select("site", "part").iter_rows():
        org = sites.get(site)
        if org is not None:
            out.setdefault(part, set()).add(org)
    return {k: frozenset(v) for k, v in out.items()}


def row_owners(
    table_name: str, rows: pl.DataFrame, ds: Dataset, *, extra_sites: pl.DataFrame | None = None
) -> list[Owners]:
    """The owners of each row of ``rows`` (a frame of table ``table_name``), judged against ``ds``.

    ``extra_sites``: sites added in the same change (their organisation owns what is at them).  An empty
    set means nobody can be found (an unknown site): only an administrator may write such a row.
    """
    owner = table(table_name).owner
    if owner.kind == "programme":
        return [None] * rows.height
    assert owner.column is not None
    values = rows[owner.column].to_list()
    if owner.kind == "organization":
        return [frozenset({v}) if v is not None else frozenset() for v in values]
    sites = _site_orgs(ds, extra_sites)
    if owner.kind == "site":
        return [frozenset({sites[v]}) if v in sites else frozenset() for v in values]
    if owner.kind == "project":
        partners = _partners(ds)
        return [partners.get(v, frozenset()) for v in values]
    producers = _producers(ds, sites)  # producer: the only organisation making the part, else the programme
    return [producers[v] if len(producers.get(v, ())) == 1 else None for v in values]


def may_write(actor: Actor, owners: Owners) -> bool:
    """May ``actor`` add, change or delete a row owned by ``owners``?"""
    if actor.is_admin:
        return True
    if owners is None:
        return actor.for_programme
    if actor.role != "analyst" or actor.organization is None:
        return False
    return actor.organization in owners
