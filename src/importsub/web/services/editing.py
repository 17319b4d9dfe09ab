"""Changing records through the API: typed, permission-checked, validated, written as a new version.

Every change makes a new immutable version of the dataset (one transaction,
or nothing).  Rules:

* viewers cannot write; analysts and admins can;
* a row of a confidential table (:data:`importsub.web.confidentiality.RULES`)
  may be added, changed or deleted only by its owning organisation's users
  (or an admin) — judged by the site the row describes, from the
  non-confidential ``sites`` table, so a refusal reveals no figure;
* the whole resulting dataset is validated; problems in the submitted rows
  are named by their position in the request, problems elsewhere are
  redacted when they concern another organisation's confidential records.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import polars as pl

from importsub.model.dataset import Dataset
from importsub.model.errors import Problem, ValidationError
from importsub.model.schema import table as record_type
from importsub.model.validate import ROW, RawTable, cell_text, check, parse
from importsub.store import Store, VersionInfo
from importsub.store.accounts import User
from importsub.web.confidentiality import RULES, Viewer, redact_problems
from importsub.web.i18n import gettext as _

REQUEST = "request"


class PermissionProblem(Exception):
    """Rows the user may not change (each with its position in the request)."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = problems
        super().__init__("; ".join(str(p) for p in problems[:3]))


def typed_rows(table_name: str, records: Sequence[Mapping[str, Any]]) -> pl.DataFrame:
    """Request records -> a typed frame of ``table_name`` (type problems name the request row and column)."""
    rt = record_type(table_name)
    columns: list[str] = []
    for r in records:
        for k in r:
            if k not in columns:
                columns.append(k)
    data = {c: [cell_text(r.get(c)) for r in records] for c in columns}
    frame = pl.DataFrame(data, schema={c: pl.String() for c in columns}).with_columns(
        pl.Series(ROW, range(1, len(records) + 1), dtype=pl.Int64)
    )
    ds = parse([RawTable(rt.name, frame, REQUEST, rt.name)], validate=False)
    return ds.tables[rt.name]


def _owners(ds: Dataset) -> dict[str, str]:
    return dict(ds.sites.select("id", "organization").iter_rows())


def check_ownership(
    table_name: str, rows: pl.DataFrame, viewer: Viewer, ds: Dataset, *, extra_sites: pl.DataFrame | None = None
) -> None:
    """Raise :class:`PermissionProblem` for rows of a confidential table the viewer does not own."""
    rule = RULES.get(table_name)
    if rule is None or viewer.is_admin:
        return
    owners = _owners(ds)
    if extra_sites is not None and extra_sites.height:
        owners.update(dict(extra_sites.select("id", "organization").iter_rows()))
    problems = []
    for i, site in enumerate(rows[rule.owner_site].to_list(), start=1):
        org = owners.get(site)
        if not viewer.owns(org):
            problems.append(
                Problem(
                    REQUEST,
                    table_name,
                    i,
                    rule.owner_site,
                    _(
                        "this record belongs to the organisation of site %(site)s; only its users or an administrator may change it",
                        site=site,
                    ),
                )
            )
    if problems:
        raise PermissionProblem(problems)


def apply_changes(
    store: Store,
    current: Dataset,
    *,
    name: str,
    user: User,
    upserts: Mapping[str, pl.DataFrame] | None = None,
    deletes: Mapping[str, pl.DataFrame] | None = None,
    note: str | None = None,
) -> VersionInfo:
    """Write ``current`` with ``upserts`` (replace by key, else add) and ``deletes`` (by key) as a new version.

    ``current`` is the full (unmasked) latest version.  Raises
    :class:`PermissionProblem` or :class:`ValidationError` (nothing written).
    """
    viewer = Viewer.of(user)
    upserts = dict(upserts or {})
    deletes = dict(deletes or {})
    new_sites = upserts.get("sites")
    for t, rows in upserts.items():
        check_ownership(t, rows, viewer, current, extra_sites=new_sites)
    for t, keys in deletes.items():
        rt = record_type(t)
        if t in RULES and not viewer.is_admin:
            full_rows = current.tables[t].join(keys.select(list(rt.key)), on=list(rt.key), how="semi")
            check_ownership(t, full_rows, viewer, current)
    frames = dict(current.tables)
    incoming_start: dict[str, int] = {}
    for t, keys in deletes.items():
        rt = record_type(t)
        frames[t] = frames[t].join(keys.select(list(rt.key)), on=list(rt.key), how="anti")
    for t, rows in upserts.items():
        rt = record_type(t)
        kept = frames[t].join(rows.select(list(rt.key)), on=list(rt.key), how="anti")
        incoming_start[t] = kept.height
        frames[t] = pl.concat([kept, rows.select(kept.columns)], how="vertical")
    new = Dataset(name, frames, None, current.meta)
    try:
        check(new)
    except ValidationError as exc:
        problems = redact_problems(exc.problems, viewer, new)
        located = []
        for p in problems:
            start = incoming_start.get(p.sheet or "")
            if start is not None and p.row is not None and p.row > start:
                located.append(Problem(REQUEST, p.sheet, p.row - start, p.column, p.message))
            else:
                located.append(p)
        raise ValidationError(located, exc.total) from None
    return store.write_dataset(new, name=name, note=note, source="web", created_by=user.username)
