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

import json
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Final

import polars as pl

from importsub.model.dataset import Dataset
from importsub.model.errors import Problem
from importsub.model.results import ROWS, SECRET, WHOLE_TABLE, table_owners
from importsub.web.i18n import gettext


@dataclass(frozen=True)
class Rule:
    """Confidential ``fields`` of a table, owned by the organisation of the site in ``owner_site``."""

    owner_site: str
    fields: tuple[str, ...]


RULES: Final[dict[str, Rule]] = {
    # ``source``: the owner's note on where a figure comes from may quote it ("price 20011.25 × 0.9")
    "supply_links": Rule("buyer", ("share", "source")),
    "production": Rule("site", ("capacity", "unit_value", "source")),
    "capacity_pools": Rule("site", ("capacity", "source")),
    "inventory": Rule("site", ("units", "source")),
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


Cell = Mapping[str, float]
"""The contributors to one aggregate figure: organisation id -> its weight in the figure (NaN: not known)."""

Cells = tuple[Cell, ...]
"""The contributors to an aggregate cell, then to each difference of it with another permitted figure
(another group's, another country's): every one must pass the disclosure rule, or be empty."""

MIN_CONTRIBUTORS: Final = 3
"""k of the disclosure rule: an aggregate of confidential figures needs at least this many contributing
organisations (so a contributor who subtracts its own part still faces at least two others)."""

DOMINANCE: Final = 0.8
"""Dominance limit of the disclosure rule: no contributor may hold more than this share of what the viewer does not
know of an aggregate (the (1, 80 %) dominance rule of statistical offices)."""


def disclosable(cell: Cell, viewer: Viewer) -> bool:
    """May ``viewer`` see an aggregate whose contributors are ``cell`` (organisation -> weight)?

    Yes for an administrator, when nobody contributes, or when it is the
    viewer's own figure alone.  Otherwise at least :data:`MIN_CONTRIBUTORS`
    organisations must contribute and, of the weight the viewer does not
    own, no single organisation may hold more than :data:`DOMINANCE` (when
    the weights are known).

    Examples
    --------
    >>> disclosable({"A": 1, "B": 1, "C": 1}, Viewer("D")), disclosable({"A": 1, "B": 1}, Viewer("D"))
    (True, False)
    >>> disclosable({"A": 90, "B": 5, "C": 5}, Viewer("D")), disclosable({"A": 90, "B": 5, "C": 5}, Viewer("A"))
    (False, True)
    >>> disclosable({"A": 1}, Viewer("A")), disclosable({"A": 9, "B": 1, "C": 1}, Viewer("B"))
    (True, False)
    """
    if viewer.is_admin:
        return True
    contributing = {o: w for o, w in cell.items() if w != 0}  # NaN (unknown) counts as contributing
    others = {o: w for o, w in contributing.items() if o != viewer.organization}
    if not others:
        return True
    if len(contributing) < MIN_CONTRIBUTORS:
        return False
    weights = list(others.values())
    if all(math.isfinite(w) and w >= 0 for w in weights):
        total = sum(weights)
        if total > 0 and max(weights) > DOMINANCE * total:
            return False
    return True


def aggregate_shown(contributors: set[str] | Cell | Cells, viewer: Viewer) -> bool:
    """May ``viewer`` see an aggregate: :func:`disclosable` for every cell (a set: contributors of unknown weight).

    Examples
    --------
    >>> aggregate_shown({"A", "B", "C"}, Viewer("D")), aggregate_shown(set(), Viewer("D"))
    (True, True)
    """
    if isinstance(contributors, tuple):
        return all(disclosable(c, viewer) for c in contributors)
    if isinstance(contributors, set | frozenset):
        return disclosable(dict.fromkeys(contributors, math.nan), viewer)
    return disclosable(contributors, viewer)


def _members(ds: Dataset, group: str) -> frozenset[str]:
    return frozenset(ds.country_groups.filter(pl.col("group") == group)["iso2"].to_list()) or frozenset({group})


def _query_sets(ds: Dataset) -> set[frozenset[str]]:
    """Every set of countries an analysis may be asked about: each group, and each country alone."""
    out = {
        frozenset(ds.country_groups.filter(pl.col("group") == g)["iso2"].to_list())
        for g in ds.country_groups["group"].unique().to_list()
    }
    out |= {frozenset({c}) for c in ds.sites["country"].drop_nulls().unique().to_list()}
    return {s for s in out if s}


def _weighted(rows: pl.DataFrame, key: str, weight: str | None) -> dict[str, dict[str, dict[str, float]]]:
    """key -> country -> organisation -> weight (summed), from rows with ``key``, ``country``, ``organization``."""
    out: dict[str, dict[str, dict[str, float]]] = {}
    cols = [key, "country", "organization"] + ([weight] if weight else [])
    for row in rows.select(cols).iter_rows():
        k, country, org = row[0], row[1], row[2]
        if k is None or country is None or org is None:
            continue
        w = row[3] if weight else math.nan
        w = math.nan if w is None else float(w)
        by_org = out.setdefault(k, {}).setdefault(country, {})
        by_org[org] = by_org.get(org, 0.0) + w
    return out


def _cells(
    by_country: Mapping[str, Mapping[str, Mapping[str, float]]], members: frozenset[str], others: set[frozenset[str]]
) -> dict[str, Cells]:
    """Per key: the contributors inside ``members``, then those of every difference with a nested query set."""

    def within(countries: Mapping[str, Mapping[str, float]], where: frozenset[str]) -> dict[str, float]:
        cell: dict[str, float] = {}
        for country, orgs in countries.items():
            if country in where:
                for org, w in orgs.items():
                    cell[org] = cell.get(org, 0.0) + w
        return cell

    diffs = [(members - s) if s < members else (s - members) for s in others if s < members or members < s]
    return {k: (within(c, members), *(within(c, d) for d in diffs)) for k, c in by_country.items()}


def _sited(ds: Dataset, df: pl.DataFrame, site_col: str) -> pl.DataFrame:
    return df.join(ds.sites.select(pl.col("id").alias(site_col), "organization", "country"), on=site_col, how="left")


def group_producers(ds: Dataset, group: str = "union") -> dict[str, Cells]:
    """Part -> its producers inside ``group`` (a group name or an ISO2 code), weighted by capacity [units/yr],
    with the producers of every difference between ``group`` and a nested group or country."""
    rows = _sited(ds, ds.production, "site")
    return _cells(_weighted(rows, "part", "capacity"), _members(ds, group), _query_sets(ds))


def _buyer_needs(ds: Dataset) -> pl.DataFrame:
    """Supply links with the buyer's need of the part at capacity [units/yr]: Σ over the products the buyer
    makes of capacity × BOM quantity, times the link's share (a proxy of the volume the link carries)."""
    per_unit = ds.production.select(pl.col("site").alias("buyer"), pl.col("part").alias("parent"), "capacity").join(
        ds.bom.select("parent", pl.col("child").alias("part"), "quantity"), on="parent", how="inner"
    )
    need = per_unit.group_by("buyer", "part").agg((pl.col("capacity") * pl.col("quantity")).sum().alias("at capacity"))
    return ds.supply_links.join(need, on=["buyer", "part"], how="left").with_columns(
        (pl.col("share") * pl.col("at capacity").fill_null(0.0)).alias("need")
    )


def group_buyers(ds: Dataset, group: str = "union") -> dict[str, Cells]:
    """Part -> organisations buying it (with supply links) at sites inside ``group``, weighted by their need of
    it at capacity [units/yr] (:func:`_buyer_needs`), with the buyers of every difference between ``group`` and
    a nested group or country."""
    rows = _sited(ds, _buyer_needs(ds), "buyer")
    return _cells(_weighted(rows, "part", "need"), _members(ds, group), _query_sets(ds))


def country_producers(ds: Dataset) -> dict[str, Cells]:
    """Country (ISO2) -> organisations producing at sites in it, weighted by output value at capacity [RUB/yr]."""
    rows = _sited(ds, ds.production, "site").with_columns(
        (pl.col("capacity") * pl.col("unit_value")).alias("__w__"), pl.col("country").alias("__key__")
    )
    by = _weighted(rows, "__key__", "__w__")
    return {k: (dict(v.get(k, {})),) for k, v in by.items()}


def final_producers(ds: Dataset) -> dict[str, Cells]:
    """``{"*": organisations with final demand}``: the contributors to a total over all vehicles (OEMs), weighted by
    the value of their demand [RUB/yr] (:func:`losers` replaces the weights by the losses where a result has them)."""
    rows = _sited(ds, ds.demand, "site").join(
        ds.parts.select(pl.col("id").alias("part"), pl.col("unit_value").alias("__price__")), on="part", how="left"
    )
    cell: dict[str, float] = {}
    for org, q, price in rows.select("organization", "units", "__price__").iter_rows():
        if org is not None:
            w = math.nan if q is None or price is None else float(q) * float(price)
            cell[org] = cell.get(org, 0.0) + w
    return {WHOLE_TABLE: (cell,)}


def all_producers(ds: Dataset) -> dict[str, Cells]:
    """``{"*": every organisation that produces}``: the contributors to a total over the whole network."""
    rows = _sited(ds, ds.production, "site").with_columns((pl.col("capacity") * pl.col("unit_value")).alias("__w__"))
    cell: dict[str, float] = {}
    for org, w in rows.select("organization", "__w__").iter_rows():
        if org is not None:
            cell[org] = cell.get(org, 0.0) + (math.nan if w is None else float(w))
    return {WHOLE_TABLE: (cell,)}


ALL_PROJECTS: Final = "ALL"
"""Key of the rows about every project together (as :func:`importsub.analysis.projects.impact` labels them)."""


def project_buyers(ds: Dataset) -> dict[str, Cells]:
    """Project -> organisations buying on the links it may take over (their volumes and shares are theirs),
    weighted by the value of their need on those links at capacity [RUB/yr] (:func:`_buyer_needs` times the
    supplier's unit value: a project's links may carry different parts)."""
    prices = ds.production.select(pl.col("site").alias("supplier"), "part", "unit_value")
    needs = (
        _buyer_needs(ds)
        .join(prices, on=["supplier", "part"], how="left")
        .select("buyer", "part", "supplier", (pl.col("need") * pl.col("unit_value")).alias("need"))
    )
    rows = ds.project_substitutes.join(needs, on=["buyer", "part", "supplier"], how="left").join(
        ds.sites.select(pl.col("id").alias("buyer"), "organization"), on="buyer", how="left"
    )
    out: dict[str, dict[str, float]] = {}
    for project, org, need in rows.select("project", "organization", "need").iter_rows():
        if org is not None:
            w = math.nan if need is None else float(need)
            for cell in (out.setdefault(project, {}), out.setdefault(ALL_PROJECTS, {})):
                cell[org] = cell.get(org, 0.0) + w
    return {k: (v,) for k, v in out.items()}


def project_producers(ds: Dataset, group: str = "union") -> dict[str, Cells]:
    """Project -> organisations already making its output parts inside ``group`` (the balance it changes is theirs)."""
    makers = group_producers(ds, group)
    out: dict[str, dict[str, float]] = {}
    for project, part in ds.project_outputs.select("project", "part").iter_rows():
        for cell in (out.setdefault(project, {}), out.setdefault(ALL_PROJECTS, {})):
            for org, w in (makers.get(part) or ({},))[0].items():
                cell[org] = cell.get(org, 0.0) + w
    return {k: (v,) for k, v in out.items()}


def category_producers(ds: Dataset) -> dict[str, Cells]:
    """Part category -> organisations making parts of it (anywhere), weighted by output value at capacity [RUB/yr]."""
    rows = _sited(ds, ds.production, "site").join(
        ds.parts.select(pl.col("id").alias("part"), "category"), on="part", how="left"
    )
    out: dict[str, dict[str, float]] = {}
    for org, category, cap, price in rows.select("organization", "category", "capacity", "unit_value").iter_rows():
        if org is not None and category is not None:
            w = math.nan if cap is None or price is None else float(cap) * float(price)
            out.setdefault(category, {})[org] = out.get(category, {}).get(org, 0.0) + w
    return {k: (v,) for k, v in out.items()}


def upstream(ds: Dataset) -> dict[str, Cells]:
    """OEM organisation and vehicle part -> every organisation in its supply tree (itself included, weights not
    known): the contributors to a vehicle's or an OEM's import content."""
    suppliers: dict[str, set[str]] = {}
    for buyer, supplier in ds.supply_links.select("buyer", "supplier").iter_rows():
        suppliers.setdefault(buyer, set()).add(supplier)
    org_of = dict(ds.sites.select("id", "organization").iter_rows())
    out: dict[str, dict[str, float]] = {}
    for site, part in ds.demand.select("site", "part").unique().iter_rows():
        seen, todo = {site}, [site]
        while todo:
            for s in suppliers.get(todo.pop(), ()):
                if s not in seen:
                    seen.add(s)
                    todo.append(s)
        orgs = {org_of[s] for s in seen if org_of.get(s) is not None}
        for key in (part, org_of.get(site)):
            if key is not None:
                out.setdefault(key, {}).update(dict.fromkeys(orgs, math.nan))
    return {k: (v,) for k, v in out.items()}


def contributors_of(ds: Dataset, group: str = "union") -> dict[str, Mapping[str, Cells]]:
    """Every basis a result declaration may name (:data:`importsub.model.results.BASES`), from the full dataset.

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
        "categories": category_producers(ds),
        "upstream": upstream(ds),
    }


# tables whose rows give each OEM's own loss: the weights of a total over OEMs, and who actually loses
_LOSSES: Final = (("oems", "OEM", "extra lost margin [RUB]"), ("oems", "OEM", "expected loss [RUB]"))


def losers(
    tables: Mapping[str, pl.DataFrame], contributors: Mapping[str, Mapping[str, Cells]]
) -> dict[str, Mapping[str, Cells]]:
    """``contributors`` with the ``oems`` basis weighted by each OEM's loss where a result table gives it.

    A total loss is then shown only when at least :data:`MIN_CONTRIBUTORS`
    OEMs actually lose and none dominates — not merely when the dataset has
    that many OEMs.
    """
    for table, key, figure in _LOSSES:
        df = tables.get(table)
        if df is not None and key in df.columns and figure in df.columns:
            cell: dict[str, float] = {}
            for org, v in df.select(key, figure).iter_rows():
                if org is not None:
                    cell[org] = cell.get(org, 0.0) + (math.nan if v is None else max(float(v), 0.0))
            return {**contributors, "oems": {WHOLE_TABLE: (cell,)}}
    return dict(contributors)


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


def _hide(df: pl.DataFrame, cols: Sequence[str]) -> pl.DataFrame:
    return df.with_columns(pl.lit(None, dtype=df.schema[c]).alias(c) for c in cols)


def _suppress(
    df: pl.DataFrame, key: str, cols: Sequence[str], viewer: Viewer, cells: Sequence[Mapping[str, Cells]]
) -> pl.DataFrame:
    """``cols`` shown on the rows whose key passes the rule for every basis in ``cells``."""
    if key == WHOLE_TABLE:
        ok = all(aggregate_shown(c.get(WHOLE_TABLE, ()), viewer) for c in cells)
        return df if ok else _hide(df, cols)
    if key not in df.columns:  # nobody can tell whose sum it is: hidden, like a figure without its owner column
        return _hide(df, cols)
    flags = pl.Series(
        "__shown__",
        [all(aggregate_shown(c.get(k or "", ()), viewer) for c in cells) for k in df[key].to_list()],
        dtype=pl.Boolean,
    )
    return (
        df.with_columns(flags)
        .with_columns(
            pl.when(pl.col("__shown__")).then(pl.col(c)).otherwise(pl.lit(None, dtype=df.schema[c])).alias(c)
            for c in cols
        )
        .drop("__shown__")
    )


def mask_result(
    tables: Mapping[str, pl.DataFrame],
    viewer: Viewer,
    owners: pl.DataFrame,
    *,
    analysis: str | None = None,
    contributors: Mapping[str, Mapping[str, Cells]] | None = None,
) -> dict[str, pl.DataFrame]:
    """Result tables of ``analysis`` as ``viewer`` may see them, by the result declarations
    (:mod:`importsub.model.results`); default deny.

    * ``public`` columns are shown; ``secret`` ones and any column the
      analysis does not declare are hidden from every non-admin;
    * ``site`` / ``organization`` figures are shown on the rows the viewer's
      organisation owns (hidden on every row when the owner column is missing);
    * ``aggregate`` figures are shown on the rows whose contributors (per
      basis, from :func:`contributors_of`, a total loss weighted by
      :func:`losers`) pass :func:`disclosable`, for the cell and for every
      difference with a nested group or country.
    """
    if viewer.is_admin:
        return dict(tables)
    contributors = losers(tables, contributors or {})
    out: dict[str, pl.DataFrame] = {}
    for name, df in tables.items():
        declared = table_owners(analysis, name) if analysis else {}
        summed: dict[tuple[str, tuple[str, ...]], list[str]] = {}
        hidden = []
        rows = declared.get(ROWS)
        if rows is not None and rows.kind == "aggregate" and rows.column in df.columns:
            keep = [
                all(aggregate_shown(contributors.get(b, {}).get(k or "", ()), viewer) for b in rows.bases)
                for k in df[rows.column].to_list()
            ]
            df = df.filter(pl.Series(keep, dtype=pl.Boolean))
        elif rows is not None and rows.kind != "public":
            df = df.clear()
        original = df
        for col in df.columns:
            fig = declared.get(col, SECRET)
            if fig.kind == "public":
                continue
            if fig.kind == "secret":
                hidden.append(col)
            elif fig.kind == "site":
                df = _mask_columns(df, fig.column or "", [col], viewer, owners)
            elif fig.kind == "organization":
                df = _mask_columns(df, by_organization(fig.column or ""), [col], viewer, owners)
            else:
                summed.setdefault((fig.column or "", fig.bases), []).append(col)
        if hidden:
            df = _hide(df, hidden)
        for (key, bases), cols in summed.items():
            df = _suppress(df, key, cols, viewer, [contributors.get(b, {}) for b in bases])
        out[name] = _masked_rows_last(original, df, [c for c in df.columns if declared.get(c, SECRET).kind == "public"])
    return out


def _masked_rows_last(before: pl.DataFrame, after: pl.DataFrame, public: Sequence[str]) -> pl.DataFrame:
    """Rows in which masking hid a figure moved after the others, in the order of their public columns.

    Where a table is ranked by a figure, the place of a row whose figure the
    viewer may not see would tell where that figure stands; the rows the
    viewer sees in full keep their order.
    """
    changed = [c for c in after.columns if c not in public]
    if not changed or after.height == 0:
        return after
    flag = pl.any_horizontal([after[c].is_null() & before[c].is_not_null() for c in changed]).alias("__masked__")
    marked = after.with_columns(flag)
    keys = [c for c in public if not isinstance(after.schema[c], pl.List | pl.Struct | pl.Object)]
    masked = marked.filter(pl.col("__masked__"))
    if masked.height == 0:
        return after
    if keys:
        masked = masked.sort(keys, nulls_last=True, maintain_order=True)
    return pl.concat([marked.filter(~pl.col("__masked__")), masked]).drop("__masked__")


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
            out.append(_without_input_costs(p) if not viewer.is_admin else p)
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


# a negative value added names its inputs' cost: Σ quantity · share · the suppliers' prices, the prices of other
# organisations
_NEGATIVE_VALUE_ADDED: Final = frozenset({"value_added", "value_added_unmapped"})


def _without_input_costs(p: Problem) -> Problem:
    """A problem on the viewer's own row, its inputs' cost left out (it is priced by the suppliers)."""
    if p.message_id not in _NEGATIVE_VALUE_ADDED or p.args is None:
        return p
    m = json.loads(p.args)
    message = gettext(
        "negative value added: the inputs of %(part)s at %(site)s cost more per unit than its value %(value)s RUB "
        "(their cost is priced by the suppliers and not shown)",
        part=m["part"],
        site=m["site"],
        value=m["value"],
    )
    return Problem(p.file, p.sheet, p.row, p.column, message)
