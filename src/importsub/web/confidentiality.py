"""Who may see which figures: the one place where confidential data is masked.

Rule (decided for the programme): supply-link shares, prices and capacities
belong to the organisation of the site they describe.

=================  ===================  ====================================
table              owner (site column)  confidential fields
=================  ===================  ====================================
supply_links       buyer                share
production         site                 capacity, unit_value
capacity_pools     site                 capacity
inventory          site                 units
=================  ===================  ====================================

Only users of the owning organisation and admins see these fields; for
everyone else they are null (the record itself — who buys what from whom —
stays visible).  Aggregates computed on the server from the full data
(localisation of an OEM, counts) are not masked.

Results that follow from capacities (disruption losses, risk exposure,
time to survive) are owned like the capacities they come from: a figure of
one node, vehicle or OEM belongs to that node's site (or that OEM), and a
total over a table is shown only when at least :data:`MIN_CONTRIBUTORS`
organisations other than the viewer's contribute to it (else the viewer
could subtract its own part).  A buyer does see its own losses, and so
learns what its suppliers together could deliver to it: that is the point
of the analysis, and it is no more than the buyer sees of its own
deliveries.  Where rows are ranked by such a figure, the
rows a viewer may not see go last, in key order, so the order reveals
nothing (:func:`hidden_last`).

Every route, list, search, diff, export and report goes through
:func:`mask_dataset` / :func:`mask_table` (records) or :func:`mask_result`
(analysis results) *before* filtering, sorting or paging, so that a filter
or a sort order on a hidden field reveals nothing either.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Final

import polars as pl

from importsub.model.dataset import Dataset
from importsub.model.errors import Problem
from importsub.web.i18n import gettext


@dataclass(frozen=True)
class Rule:
    """Confidential ``fields`` of a table, owned by the organisation of the site in ``owner_site``."""

    owner_site: str
    fields: tuple[str, ...]


RULES: Final[dict[str, Rule]] = {
    "supply_links": Rule("buyer", ("share",)),
    "production": Rule("site", ("capacity", "unit_value")),
    "capacity_pools": Rule("site", ("capacity",)),
    "inventory": Rule("site", ("units",)),
}

# analysis result columns (name before " [unit]") that carry confidential figures,
# and the column naming the site whose organisation owns them
RESULT_FIELDS: Final[dict[str, tuple[str, ...]]] = {
    "share": ("buyer",),
    "current share": ("buyer",),
    "supplier share": ("buyer",),
    "capacity": ("site", "producer", "candidate site", "candidate"),
    "spare capacity": ("site", "producer", "candidate site", "candidate"),
    "unit_value": ("site", "producer", "candidate site", "candidate"),
    "unit value": ("site", "producer", "candidate site", "candidate"),
    "value": ("site", "producer", "candidate site", "candidate"),
    "price": ("site", "producer", "candidate site", "candidate"),
    "stock": ("site",),
    "units on hand": ("site",),
}

_OWNER = "__owner_org__"

ORG_OWNER: Final = "organization:"
"""Prefix of an owner column that holds an organisation id rather than a site id (see :func:`by_organization`)."""


def by_organization(column: str) -> str:
    """Owner of a declared confidential column when ``column`` names an organisation (e.g. ``OEM``), not a site.

    Examples
    --------
    >>> by_organization("OEM")
    'organization:OEM'
    """
    return ORG_OWNER + column


@dataclass(frozen=True)
class Viewer:
    """What masking needs to know about a user: organisation and whether admin."""

    organization: str | None
    is_admin: bool = False

    @classmethod
    def of(cls, user: Any) -> Viewer:
        """From an :class:`importsub.store.accounts.User` (or anything with those attributes)."""
        return cls(getattr(user, "organization", None), bool(getattr(user, "is_admin", False)))

    @property
    def key(self) -> str:
        """Cache key: users with the same key see exactly the same data."""
        if self.is_admin:
            return "*admin*"
        return f"org:{self.organization}" if self.organization else "*none*"

    def owns(self, organization: str | None) -> bool:
        return self.is_admin or (self.organization is not None and organization == self.organization)


ADMIN: Final = Viewer(None, True)


def site_owners(ds: Dataset) -> pl.DataFrame:
    """Site id -> organisation id (the ``sites`` table is not confidential)."""
    return ds.sites.select(pl.col("id").alias("__site__"), pl.col("organization").alias(_OWNER)).unique("__site__")


def _mask_columns(
    df: pl.DataFrame, owner_col: str, fields: Sequence[str], viewer: Viewer, owners: pl.DataFrame
) -> pl.DataFrame:
    if viewer.is_admin or not fields:
        return df
    cols = df.columns
    if owner_col.startswith(ORG_OWNER):
        org_col = owner_col[len(ORG_OWNER) :]
        if org_col not in cols:
            return df.with_columns(pl.lit(None, dtype=df.schema[f]).alias(f) for f in fields)
        mine = pl.lit(False) if viewer.organization is None else (pl.col(org_col) == viewer.organization)
        return df.with_columns(
            pl.when(mine.fill_null(False)).then(pl.col(f)).otherwise(pl.lit(None, dtype=df.schema[f])).alias(f)
            for f in fields
        )
    if owner_col not in cols:
        # nobody can tell whose figures these are: hide them from non-admins
        return df.with_columns(pl.lit(None, dtype=df.schema[f]).alias(f) for f in fields)
    with_owner = df.join(owners, left_on=owner_col, right_on="__site__", how="left", maintain_order="left")
    visible = pl.lit(False) if viewer.organization is None else (pl.col(_OWNER) == viewer.organization).fill_null(False)
    return with_owner.with_columns(
        pl.when(visible).then(pl.col(f)).otherwise(pl.lit(None, dtype=df.schema[f])).alias(f) for f in fields
    ).select(cols)


def mask_table(name: str, df: pl.DataFrame, viewer: Viewer, owners: pl.DataFrame) -> pl.DataFrame:
    """Table ``name`` of records as ``viewer`` may see it (``owners`` from :func:`site_owners`)."""
    rule = RULES.get(name)
    if rule is None or viewer.is_admin:
        return df
    return _mask_columns(df, rule.owner_site, [f for f in rule.fields if f in df.columns], viewer, owners)


def mask_dataset(ds: Dataset, viewer: Viewer) -> Dataset:
    """The dataset as ``viewer`` may see it: confidential fields of other organisations are null.

    Examples
    --------
    >>> import polars as pl
    >>> ds = Dataset.from_frames("x", {
    ...     "sites": pl.DataFrame({"id": ["A1", "B1"], "organization": ["A", "B"], "name": ["a", "b"],
    ...                            "country": ["RU", "BY"], "lat": [0.0, 0.0], "lon": [0.0, 0.0]}),
    ...     "supply_links": pl.DataFrame({"buyer": ["A1", "B1"], "part": ["p", "p"], "supplier": ["B1", "A1"],
    ...                                   "share": [1.0, 1.0]})})
    >>> mask_dataset(ds, Viewer("A")).supply_links["share"].to_list()
    [1.0, None]
    """
    if viewer.is_admin:
        return ds
    owners = site_owners(ds)
    return ds.replace(**{name: mask_table(name, ds.tables[name], viewer, owners) for name in RULES})


def _base(column: str) -> str:
    return column.split(" [", 1)[0].strip().lower()


def group_producers(ds: Dataset, group: str = "union") -> dict[str, set[str]]:
    """Part -> organisations producing it at sites inside ``group`` (a group name or an ISO2 code)."""
    members = set(ds.country_groups.filter(pl.col("group") == group)["iso2"].to_list()) or {group}
    rows = ds.production.join(
        ds.sites.select(pl.col("id").alias("site"), "organization", "country"), on="site", how="left"
    )
    out: dict[str, set[str]] = {}
    for part, org, country in rows.select("part", "organization", "country").iter_rows():
        if country in members and org is not None:
            out.setdefault(part, set()).add(org)
    return out


def group_buyers(ds: Dataset, group: str = "union") -> dict[str, set[str]]:
    """Part -> organisations buying it (with supply links) at sites inside ``group``."""
    members = set(ds.country_groups.filter(pl.col("group") == group)["iso2"].to_list()) or {group}
    rows = ds.supply_links.join(
        ds.sites.select(pl.col("id").alias("buyer"), "organization", "country"), on="buyer", how="left"
    )
    out: dict[str, set[str]] = {}
    for part, org, country in rows.select("part", "organization", "country").iter_rows():
        if country in members and org is not None:
            out.setdefault(part, set()).add(org)
    return out


MIN_CONTRIBUTORS: Final = 2
"""An aggregate of confidential figures is shown only when at least this many organisations *other than the
viewer's* contribute to it (the viewer could otherwise subtract its own part and read the other's)."""


def aggregate_shown(contributors: set[str], viewer: Viewer) -> bool:
    """May ``viewer`` see a sum over the figures of ``contributors`` (organisation ids)?

    Yes when nobody contributes, when it is the viewer's own figure alone, or
    when at least :data:`MIN_CONTRIBUTORS` *other* organisations contribute.

    Examples
    --------
    >>> aggregate_shown({"A", "B"}, Viewer("C")), aggregate_shown({"A", "B"}, Viewer("A"))
    (True, False)
    >>> aggregate_shown({"A"}, Viewer("A")), aggregate_shown({"A", "B", "C"}, Viewer("A"))
    (True, True)
    """
    if viewer.is_admin or not contributors:
        return True
    others = contributors - ({viewer.organization} if viewer.organization else set())
    return not others or len(others) >= MIN_CONTRIBUTORS


WHOLE_TABLE: Final = "*"
"""Key of an aggregate that sums over the whole table (e.g. a scenario's total loss): ``contributors[basis]["*"]``."""


def country_producers(ds: Dataset) -> dict[str, set[str]]:
    """Country (ISO2) -> organisations producing at sites in it (contributors to a whole country's figures)."""
    rows = ds.production.join(
        ds.sites.select(pl.col("id").alias("site"), "organization", "country"), on="site", how="left"
    )
    out: dict[str, set[str]] = {}
    for org, country in rows.select("organization", "country").iter_rows():
        if country is not None and org is not None:
            out.setdefault(country, set()).add(org)
    return out


def final_producers(ds: Dataset) -> dict[str, set[str]]:
    """``{"*": organisations with final demand}``: the contributors to a total over all vehicles (OEMs)."""
    orgs = ds.demand.join(ds.sites.select(pl.col("id").alias("site"), "organization"), on="site", how="left")
    return {WHOLE_TABLE: {o for o in orgs["organization"].to_list() if o is not None}}


def all_producers(ds: Dataset) -> dict[str, set[str]]:
    """``{"*": every organisation that produces}``: the contributors to a total over the whole network."""
    orgs = ds.production.join(ds.sites.select(pl.col("id").alias("site"), "organization"), on="site", how="left")
    return {WHOLE_TABLE: {o for o in orgs["organization"].to_list() if o is not None}}


ALL_PROJECTS: Final = "ALL"
"""Key of the rows about every project together (as :func:`importsub.analysis.projects.impact` labels them)."""


def project_buyers(ds: Dataset) -> dict[str, set[str]]:
    """Project -> organisations buying on the links it may take over (their volumes and shares are theirs)."""
    rows = ds.project_substitutes.join(
        ds.sites.select(pl.col("id").alias("buyer"), "organization"), on="buyer", how="left"
    )
    out: dict[str, set[str]] = {}
    for project, org in rows.select("project", "organization").iter_rows():
        if org is not None:
            out.setdefault(project, set()).add(org)
            out.setdefault(ALL_PROJECTS, set()).add(org)
    return out


def project_producers(ds: Dataset, group: str = "union") -> dict[str, set[str]]:
    """Project -> organisations already making its output parts inside ``group`` (the balance it changes is theirs)."""
    makers = group_producers(ds, group)
    out: dict[str, set[str]] = {}
    for project, part in ds.project_outputs.select("project", "part").iter_rows():
        orgs = makers.get(part, set())
        out.setdefault(project, set()).update(orgs)
        out.setdefault(ALL_PROJECTS, set()).update(orgs)
    return out


def contributors_of(ds: Dataset, group: str = "union") -> dict[str, Mapping[str, set[str]]]:
    """Every basis an analysis may name in its ``aggregates`` declaration, computed from the full dataset.

    ``producers`` / ``buyers`` (by part, inside ``group``), ``countries`` (by
    country), ``oems`` (whole table: organisations with final demand),
    ``network`` (whole table: every producing organisation), ``project
    buyers`` / ``project producers`` (by project: :func:`project_buyers`,
    :func:`project_producers`).
    """
    return {
        "producers": group_producers(ds, group),
        "buyers": group_buyers(ds, group),
        "countries": country_producers(ds),
        "oems": final_producers(ds),
        "network": all_producers(ds),
        "project buyers": project_buyers(ds),
        "project producers": project_producers(ds, group),
    }


def hidden_last(df: pl.DataFrame, figure: str, keys: Sequence[str]) -> pl.DataFrame:
    """Rows whose ``figure`` is hidden (null) moved after the others, in ``keys`` order.

    A table ranked by a figure would otherwise tell a viewer where the rows
    they may not see stand.  Visible rows keep their relative order.

    Examples
    --------
    >>> df = pl.DataFrame({"k": ["b", "a", "c"], "x": [None, 2.0, 1.0]})
    >>> hidden_last(df, "x", ["k"])["k"].to_list()
    ['a', 'c', 'b']
    """
    if figure not in df.columns or df.height == 0:
        return df
    shown = df.filter(pl.col(figure).is_not_null())
    hidden = df.filter(pl.col(figure).is_null())
    keys = [k for k in keys if k in df.columns]
    if keys:
        hidden = hidden.sort(keys, nulls_last=True)
    return pl.concat([shown, hidden])


def _suppress(
    df: pl.DataFrame, key: str, columns: Sequence[str], viewer: Viewer, producers: Mapping[str, set[str]]
) -> pl.DataFrame:
    cols = [c for c in columns if c in df.columns]
    if viewer.is_admin or not cols:
        return df
    if key == WHOLE_TABLE:
        if aggregate_shown(producers.get(WHOLE_TABLE, set()), viewer):
            return df
        return df.with_columns(pl.lit(None, dtype=df.schema[c]).alias(c) for c in cols)
    if key not in df.columns:  # nobody can tell whose sum it is: hidden, like a figure without its owner column
        return df.with_columns(pl.lit(None, dtype=df.schema[c]).alias(c) for c in cols)

    def shown(part: str | None) -> bool:
        return aggregate_shown(producers.get(part or "", set()), viewer)

    flags = pl.Series("__shown__", [shown(p) for p in df[key].to_list()], dtype=pl.Boolean)
    return (
        df.with_columns(flags)
        .with_columns(
            pl.when(pl.col("__shown__")).then(pl.col(c)).otherwise(pl.lit(None, dtype=df.schema[c])).alias(c)
            for c in cols
        )
        .drop("__shown__")
    )


Aggregate = tuple[str, Sequence[str], str]
"""(key column, columns, basis): columns summing the figures of ``contributors[basis][key]`` organisations
(a part's ``producers`` or ``buyers``, a country's producers…); key :data:`WHOLE_TABLE` sums over the table."""


def mask_result(
    tables: Mapping[str, pl.DataFrame],
    viewer: Viewer,
    owners: pl.DataFrame,
    *,
    confidential: Mapping[str, Mapping[str, str]] | None = None,
    aggregates: Mapping[str, Sequence[Aggregate]] | None = None,
    contributors: Mapping[str, Mapping[str, set[str]]] | None = None,
) -> dict[str, pl.DataFrame]:
    """Analysis result tables as ``viewer`` may see them.

    * ``confidential[table][column] = owner site column``: figures an
      analysis knows to be confidential (e.g. utilisation = output /
      capacity), shown on the rows the viewer's organisation owns
      (:func:`by_organization` when the owner column holds an organisation
      id); without the owner column the figure is hidden from every non-admin.
    * ``aggregates[table] = [(key column, columns, basis), ...]``: sums over
      the group's producers (capacity) or buyers (imports, which follow from
      their shares) of a part, a country's producers, every OEM…; shown only
      when at least :data:`MIN_CONTRIBUTORS` organisations other than the
      viewer's contribute (``contributors[basis]``, from
      :func:`contributors_of`) or the viewer's is the only one — a "sum"
      over one organisation is that organisation's own figure
      (:func:`aggregate_shown`).
    * any other column whose name (before `` [unit]``) is one of
      :data:`RESULT_FIELDS` is confidential, owned by the site in its owner
      column (``buyer`` for shares, ``site``/``candidate site``… otherwise);
      without an owner column it is hidden from every non-admin.
    """
    out: dict[str, pl.DataFrame] = {}
    for name, df in tables.items():
        if viewer.is_admin:
            out[name] = df
            continue
        declared = dict(confidential.get(name, {})) if confidential else {}
        summed = list(aggregates.get(name, ())) if aggregates else []
        summed_cols = {c for _key, cols, _basis in summed for c in cols}
        for col in df.columns:
            if col in declared:
                df = _mask_columns(df, declared[col], [col], viewer, owners)
                continue
            owners_cols = RESULT_FIELDS.get(_base(col))
            if owners_cols is None or col in summed_cols:
                continue
            owner_col = next((c for c in owners_cols if c in df.columns), owners_cols[0])
            df = _mask_columns(df, owner_col, [col], viewer, owners)
        for key, cols, basis in summed:
            df = _suppress(df, key, cols, viewer, (contributors or {}).get(basis, {}))
        out[name] = df
    return out


def redact_problems(problems: Sequence[Problem], viewer: Viewer, ds: Dataset) -> list[Problem]:
    """Validation problems as ``viewer`` may read them.

    A problem about a record of a confidential table that belongs to another
    organisation may quote its hidden figures (e.g. the sum of its shares);
    its message is replaced by a neutral one.
    """
    if viewer.is_admin:
        return list(problems)
    owners = dict(site_owners(ds).iter_rows())
    out = []
    for p in problems:
        rule = RULES.get(p.sheet or "")
        if rule is None:
            out.append(p)
            continue
        df = ds.tables[p.sheet or ""]
        owner = None
        if p.row is not None and 1 <= p.row <= df.height and rule.owner_site in df.columns:
            owner = owners.get(df[rule.owner_site][p.row - 1])
        if viewer.owns(owner):
            out.append(p)
        else:
            out.append(
                Problem(
                    p.file,
                    p.sheet,
                    p.row,
                    None,
                    gettext("a record of another organisation is inconsistent with this change"),
                )
            )
    return out
