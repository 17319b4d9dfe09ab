"""Contributions instead of overwrites: an organisation's slice as a draft, checked, then accepted by the programme.

* **Submit**: records (the record API's shapes, or a file read by :mod:`importsub.io`) to add or replace by
  key, and keys to delete.  The same ownership check as every write
  (:func:`importsub.web.services.editing.check_changes`) refuses rows of another organisation, naming them.
  The draft is merged into the latest version and the merged dataset validated; the problems (each
  located in the submitted file, sheet, row and column, or request record and field) and the
  **contradictions** (:func:`contradictions`) are kept with the draft.
* **Accept** (the programme or an administrator): the draft is merged into the then latest version, the
  submitter's rights and the validation checked again, and the result written as a new version (within the
  accepter's version quota).  Every record field it changed gets a provenance entry (who, when, which
  submission).  **Reject**: with a reason.

Nothing here quotes another organisation's confidential figures: contradictions name sites and parts (not
confidential), validation problems are redacted as for any write, and a draft's records are masked for
whoever reads it.
"""

from __future__ import annotations

import dataclasses
import tempfile
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import polars as pl

from importsub.io import read_raw
from importsub.io.limits import for_upload
from importsub.model.dataset import Dataset, polars_schema
from importsub.model.errors import FileFormatError, ImportsubError, Problem, ValidationError
from importsub.model.messages import problem_text
from importsub.model.schema import TABLE_NAMES
from importsub.model.schema import table as record_type
from importsub.model.validate import ROW, SHARE_TOLERANCE, cell_text, check, parse
from importsub.store import Store, VersionInfo, accounts
from importsub.store import contributions as store
from importsub.store.contributions import Contribution, ProvenanceEntry, record_key
from importsub.web.confidentiality import RULES, Viewer, mask_table, redact_problems, site_owners
from importsub.web.i18n import N_, current_language
from importsub.web.i18n import gettext as _
from importsub.web.services.editing import (
    REQUEST,
    PermissionProblem,
    Quota,
    check_changes,
    check_quota,
    merged,
    typed_rows,
)
from importsub.web.services.results import cell
from importsub.web.services.uploads import SUFFIXES, Source, safe_filename, unpack_upload

#: statuses and kinds of change, shown translated
LABELS = (N_("draft"), N_("accepted"), N_("rejected"), N_("added"), N_("changed"), N_("deleted"))

Location = tuple[str | None, str | None, int | None]
"""(file, sheet, row) of a submitted record, as the submitter sees it."""


class ContributionError(ImportsubError):
    """A contribution that cannot be decided now (no longer a draft, or invalid on the latest version)."""


class DraftCapReached(ImportsubError):
    """The submitter's organisation (or, without one, the submitter) already has its cap of open drafts."""

    def __init__(self, who: str, limit: int) -> None:
        self.limit = limit
        super().__init__(
            _(
                "%(who)s already has %(n)s drafts waiting for the programme's decision, the limit; wait until the "
                "programme accepts or rejects one, then submit again.",
                who=who,
                n=limit,
            )
        )


@dataclass(frozen=True)
class Draft:
    """Submitted changes, typed: rows to add or replace and keys to delete, with where each row came from."""

    upserts: dict[str, pl.DataFrame]
    deletes: dict[str, pl.DataFrame]
    locations: dict[str, list[Location]] = field(default_factory=dict)

    @property
    def empty(self) -> bool:
        return not any(df.height for df in (*self.upserts.values(), *self.deletes.values()))

    def locate(self, p: Problem, incoming_start: Mapping[str, int] | None = None) -> Problem:
        """``p`` (a row of a submitted table, counted from ``incoming_start`` in a merged table) where it was sent."""
        start = (incoming_start or {}).get(p.sheet or "", 0 if incoming_start is None else None)
        rows = self.locations.get(p.sheet or "")
        if start is None or rows is None or p.row is None or not 0 < p.row - start <= len(rows):
            return p
        file, sheet, row = rows[p.row - start - 1]
        return dataclasses.replace(p, file=file, sheet=sheet, row=row)

    def to_json(self) -> dict[str, Any]:
        """The changes as stored with the contribution (JSON values)."""
        return {
            "upserts": {t: _json_rows(df) for t, df in self.upserts.items() if df.height},
            "deletes": {t: _json_rows(df) for t, df in self.deletes.items() if df.height},
        }


def _json_rows(df: pl.DataFrame) -> list[dict[str, Any]]:
    return [{k: cell(v) for k, v in r.items()} for r in df.drop(ROW, strict=False).to_dicts()]


def _keys(table: str, records: Sequence[Mapping[str, Any]]) -> pl.DataFrame:
    """The key fields of ``records`` of ``table``, typed; a key missing or not of its type names the record."""
    rt = record_type(table)
    schema = polars_schema(rt)
    text = pl.DataFrame(
        {k: [cell_text(r.get(k)) for r in records] for k in rt.key}, schema={k: pl.String() for k in rt.key}
    )
    keys = text.select(pl.col(k).str.strip_chars().cast(schema[k], strict=False) for k in rt.key)
    problems = [
        Problem(REQUEST, table, i + 1, k, _("key field %(k)s is missing or not of its type", k=k))
        for k in rt.key
        for i in keys.with_row_index().filter(pl.col(k).is_null())["index"].to_list()
    ]
    if problems:
        raise ValidationError(problems, len(problems))
    return keys


def draft_from_records(
    upserts: Mapping[str, Sequence[Mapping[str, Any]]], deletes: Mapping[str, Sequence[Mapping[str, Any]]]
) -> Draft:
    """A draft from request records by table (type problems name the request record and field)."""
    unknown = [t for t in (*upserts, *deletes) if t not in TABLE_NAMES]
    if unknown:
        raise ValidationError(
            [Problem(REQUEST, t, None, None, _("unknown record type %(t)s", t=t)) for t in unknown], len(unknown)
        )
    typed = {t: typed_rows(t, rows) for t, rows in upserts.items() if rows}
    locations: dict[str, list[Location]] = {
        t: [(REQUEST, t, i + 1) for i in range(df.height)] for t, df in typed.items()
    }
    keys = {t: _keys(t, rows) for t, rows in deletes.items() if rows}
    return Draft({t: df.drop(ROW, strict=False) for t, df in typed.items()}, keys, locations)


def draft_from_file(content: Source, filename: str, *, max_bytes: int) -> Draft:
    """A draft from an uploaded slice (``.xlsx``, ``.json``, ``.csv``, ``.zip`` of CSV files; its bytes or a
    binary file object): every record of the file is added or replaces the stored one of its key.  Problems
    name the file, sheet, row and column."""
    clean = safe_filename(filename)
    if Path(clean).suffix.lower() not in SUFFIXES:
        raise FileFormatError(
            _("%(file)s: unknown file type; use .xlsx, .json, .csv or a .zip of CSV files.", file=clean)
        )
    with tempfile.TemporaryDirectory(prefix="importsub-contribution-") as tmp:
        target = unpack_upload(content, clean, Path(tmp), max_bytes)
        try:
            raw = read_raw(target, limits=for_upload(max_bytes))
        except FileFormatError as exc:
            raise FileFormatError(str(exc).replace(tmp + "/", "")) from None
        raw = [dataclasses.replace(r, file=_relative(r.file, tmp)) for r in raw]
    return _draft_of(raw)


def draft_from_path(path: Path, *, csv_dialect: str = "auto") -> Draft:
    """A draft from a file or folder on this machine (``.xlsx``, ``.json``, a folder of ``.csv`` files: the
    import readers and their limits), every record added or replacing the stored one of its key; problems name
    the file, sheet, row and column."""
    return _draft_of(read_raw(path, csv_dialect=csv_dialect))


def _draft_of(raw: Sequence[Any]) -> Draft:
    ds = parse(list(raw), name="contribution", validate=False)
    upserts = {t: df for t, df in ds.tables.items() if df.height}
    locations: dict[str, list[Location]] = {}
    for r in raw:
        name = r.name.lower() if r.name.lower() in upserts else r.name
        rows = r.frame[ROW].to_list() if ROW in r.frame.columns else list(range(1, r.frame.height + 1))
        locations.setdefault(name, []).extend((r.file, r.sheet or r.name, int(x)) for x in rows)
    return Draft(upserts, {}, locations)


def _relative(file: str | None, tmp: str) -> str | None:
    return file[len(tmp) + 1 :] if file and file.startswith(tmp + "/") else file


# ---------------------------------------------------------------- checking a draft


def contradictions(before: Dataset, after: Dataset, draft: Draft) -> list[dict[str, Any]]:
    """What the draft makes the shared figures contradict, for the programme's review.

    * a buyer claims a supplier that says it does not make the part: a supply link of the merged dataset
      whose supplier site has no production of the part, where the draft sent the link or removed that
      production;
    * shares of a buyer's part that do not sum to 1 (±1e-6) after the merge, for the buyers and parts the
      draft touches.

    Messages name sites and parts only (never a share or another figure).
    """
    out: list[dict[str, Any]] = []
    links = after.supply_links.select("buyer", "part", "supplier")
    made = after.production.select(pl.col("site").alias("supplier"), "part").unique()
    claimed = links.join(made, on=["supplier", "part"], how="anti")
    sent = draft.upserts.get("supply_links")
    removed = before.production.select(pl.col("site").alias("supplier"), "part").join(
        made, on=["supplier", "part"], how="anti"
    )
    touched = pl.concat(
        [
            sent.select("buyer", "part", "supplier") if sent is not None else links.head(0),
            claimed.join(removed, on=["supplier", "part"], how="semi"),
        ]
    )
    for buyer, part, supplier in claimed.join(
        touched.unique(), on=["buyer", "part", "supplier"], how="semi"
    ).iter_rows():
        out.append(
            {
                "kind": "supplier does not make the part",
                "table": "supply_links",
                "record": record_key([buyer, part, supplier]),
                "message": _(
                    "buyer %(b)s names supplier %(s)s for part %(p)s, but %(s)s has no production of %(p)s",
                    b=buyer,
                    s=supplier,
                    p=part,
                ),
            }
        )
    pairs = [df.select("buyer", "part") for df in (sent, draft.deletes.get("supply_links")) if df is not None]
    if pairs:
        sums = after.supply_links.group_by("buyer", "part").agg(pl.col("share").sum().alias("total"))
        gone = pl.concat(pairs).unique().join(sums, on=["buyer", "part"], how="left")
        off = gone.filter(pl.col("total").is_null() | ((pl.col("total") - 1.0).abs() > SHARE_TOLERANCE))
        for buyer, part, total in off.sort("buyer", "part").iter_rows():
            out.append(
                {
                    "kind": "shares do not sum to 1",
                    "table": "supply_links",
                    "record": record_key([buyer, part]),
                    "message": _(
                        "the shares of buyer %(b)s for part %(p)s do not sum to 1 after the merge", b=buyer, p=part
                    )
                    if total is not None
                    else _("buyer %(b)s has no supplier left for part %(p)s after the merge", b=buyer, p=part),
                }
            )
    return out


def review(user: Any, current: Dataset, name: str, draft: Draft) -> tuple[Dataset, list[Problem], list[dict[str, Any]]]:
    """Check ``draft`` of ``user`` against ``current`` (the full latest version).

    Raises :class:`PermissionProblem` (rows located where they were sent) when the user may not write a row.
    Returns the merged dataset, its validation problems (located, redacted for the user) and the contradictions.
    """
    try:
        check_changes(user, current, draft.upserts, draft.deletes)
    except PermissionProblem as exc:
        raise PermissionProblem([draft.locate(p) for p in exc.problems]) from None
    new, incoming_start = merged(current, name, draft.upserts, draft.deletes)
    problems: list[Problem] = []
    try:
        check(new)
    except ValidationError as exc:
        problems = [
            _by_record(draft.locate(p, incoming_start), new, incoming_start)
            for p in redact_problems(exc.problems, Viewer.of(user), new)
        ]
    return new, problems, contradictions(current, new, draft)


def _by_record(p: Problem, new: Dataset, incoming_start: Mapping[str, int]) -> Problem:
    """A problem at a row of the shared dataset (not one submitted) named by that record's key instead."""
    sheet = p.sheet or ""
    if p.file is not None or sheet not in new.tables or p.row is None:
        return p
    df = new.tables[sheet]
    if not 0 < p.row <= min(df.height, incoming_start.get(sheet, df.height)):
        return p
    key = record_key(df.row(p.row - 1, named=True)[k] for k in record_type(sheet).key)
    return Problem(
        _("shared dataset"),
        sheet,
        None,
        p.column,
        _("record %(k)s: %(m)s", k=key, m=problem_text(p, current_language())),
    )


def submit(
    target: Store,
    current: Dataset,
    info: VersionInfo,
    *,
    user: accounts.User,
    draft: Draft,
    source: str,
    note: str | None,
    max_open_drafts: int | None = None,
) -> Contribution:
    """Check ``draft`` (see :func:`review`) against ``current`` (version ``info``, full) and store it as a
    draft contribution (raises :class:`PermissionProblem`, or :class:`ValidationError` for an empty one).

    ``max_open_drafts``: raise :class:`DraftCapReached` when the user's organisation (a user without one: the
    user) already has that many drafts waiting, over every dataset (administrators are not capped); counted in
    the transaction that stores the draft."""
    if draft.empty:
        raise ValidationError([Problem(source, None, None, None, _("the contribution holds no records"))], 1)
    _new, problems, flags = review(user, current, info.dataset, draft)
    with target.writing() as conn:
        if max_open_drafts is not None and not user.is_admin:
            waiting = store.open_drafts(conn, organization=user.organization, user_id=user.id)
            if waiting >= max_open_drafts:
                who = _("Organisation %(o)s", o=user.organization) if user.organization else user.username
                raise DraftCapReached(who, max_open_drafts)
        return store.create_contribution(
            conn,
            dataset=info.dataset,
            base_version=info.version,
            user_id=user.id,
            username=user.username,
            organization=user.organization,
            source=source,
            note=note,
            changes=draft.to_json(),
            problems=[p.as_json() for p in problems],
            contradictions=flags,
        )


def draft_diff(
    contribution: Contribution, current: Dataset, viewer: Viewer, *, limit: int = 2000
) -> list[dict[str, Any]]:
    """What accepting ``contribution`` would change in ``current`` (the full latest version), value by value.

    One row per (table, record, field) that differs: ``change`` (``added``, ``changed``, ``deleted``; field
    :data:`~importsub.store.contributions.DELETED` for a deleted record), the ``latest`` value and the
    ``draft`` value, confidential figures of organisations other than ``viewer``'s left empty (``hidden``
    true), owners judged on the merged dataset.  At most ``limit`` rows.
    """
    draft = stored_draft(contribution)
    new, _start = merged(current, contribution.dataset, draft.upserts, draft.deletes)
    owners = site_owners(new)
    shown: dict[tuple[str, str], dict[str, dict[str, Any]]] = {}
    for t in {*draft.upserts, *draft.deletes}:
        key = list(record_type(t).key)
        for side, ds in (("latest", current), ("draft", new)):
            masked = mask_table(t, ds.tables[t], viewer, owners)
            shown[t, side] = {record_key(r[k] for k in key): r for r in masked.iter_rows(named=True)}
    out: list[dict[str, Any]] = []
    for t, record, name, change in changed_fields(current, new, draft):
        if len(out) >= limit:
            break
        if change == "deleted":
            out.append({"table": t, "record": record, "field": name, "change": change, "latest": None, "draft": None})
            continue
        latest = shown[t, "latest"].get(record, {}).get(name)
        value = shown[t, "draft"].get(record, {}).get(name)
        secret = t in RULES and name in RULES[t].fields and not viewer.is_admin
        hidden = secret and value is None and latest is None
        out.append(
            {
                "table": t,
                "record": record,
                "field": name,
                "change": change,
                "latest": cell(latest),
                "draft": cell(value),
                "hidden": hidden,
            }
        )
    return out


def stored_draft(contribution: Contribution) -> Draft:
    """The typed changes of a stored contribution."""
    return draft_from_records(contribution.upserts, contribution.deletes)


# ---------------------------------------------------------------- deciding


def changed_fields(before: Dataset, after: Dataset, draft: Draft) -> Iterator[tuple[str, str, str, str]]:
    """(table, record key text, field, change) of every value the draft changed from ``before`` to ``after``.

    A record added has every field it sets (``added``); a record replaced, the fields whose value differs
    (``changed``); a record deleted, one entry with field :data:`~importsub.store.contributions.DELETED`.
    """
    for t, keys in draft.deletes.items():
        key = list(record_type(t).key)
        for values in before.tables[t].join(keys, on=key, how="semi").select(key).iter_rows():
            yield t, record_key(values), store.DELETED, "deleted"
    for t, rows in draft.upserts.items():
        rt = record_type(t)
        key = list(rt.key)
        others = [f for f in rt.field_names if f not in key]
        new = after.tables[t].join(rows.select(key), on=key, how="semi")
        old = {r[: len(key)]: r[len(key) :] for r in before.tables[t].select(key + others).iter_rows()}
        for r in new.select(key + others).iter_rows():
            k, values = r[: len(key)], r[len(key) :]
            was = old.get(k)
            for f, v, i in zip(others, values, range(len(others)), strict=True):
                if was is None:
                    if v is not None:
                        yield t, record_key(k), f, "added"
                elif was[i] != v:
                    yield t, record_key(k), f, "changed"


def _submitter(target: Store, contribution: Contribution) -> accounts.User:
    user = None
    if contribution.submitted_by is not None:
        with target.engine.connect() as conn:
            user = accounts.get_user(conn, user_id=contribution.submitted_by)
    if user is None or not user.active or not user.can_write:
        raise ContributionError(
            _("The submitter of contribution %(id)s may no longer write records; reject it.", id=contribution.id)
        )
    return user


def accept(
    target: Store, current: Dataset, contribution: Contribution, *, user: accounts.User, quota: int | Quota | None
) -> VersionInfo:
    """Accept a draft into a new version of its dataset (``current``: the full latest version).

    Raises :class:`ContributionError` (not a draft, or a submitter who may no longer write),
    :class:`PermissionProblem` (the submitter may not write a row of the latest version),
    :class:`ValidationError` (the merge is invalid on the latest version) or
    :class:`~importsub.web.services.editing.QuotaExceeded`; nothing is written then.

    The decision is taken first (so two accepters cannot both write a version), the version written in its
    own transaction (the draft reopened if that fails), then the version and the provenance recorded.
    """
    if contribution.status != "draft":
        raise ContributionError(
            _("Contribution %(id)s was already %(s)s.", id=contribution.id, s=_(contribution.status))
        )
    draft = stored_draft(contribution)
    new, problems, _flags = review(_submitter(target, contribution), current, contribution.dataset, draft)
    if problems:
        raise ValidationError(problems, len(problems))
    check_quota(target, user, quota, organization=contribution.organization)
    with target.writing() as conn:
        if not store.decide_contribution(
            conn, contribution_id=contribution.id, status="accepted", decided_by=user.username
        ):
            raise ContributionError(_("Contribution %(id)s was decided meanwhile.", id=contribution.id))
    note = f"contribution {contribution.id} of {contribution.organization or contribution.username}"
    try:
        info = target.write_dataset(
            new, name=contribution.dataset, note=note, source="contribution", created_by=user.username
        )
    except BaseException:
        with target.writing() as conn:
            store.reopen_contribution(conn, contribution_id=contribution.id)
        raise
    with target.writing() as conn:
        store.set_accepted_version(conn, contribution_id=contribution.id, version=info.version)
        store.record_provenance(
            conn,
            contribution=contribution,
            version=info.version,
            accepted_by=user.username,
            changes=changed_fields(current, new, draft),
        )
    return info


def reject(conn: Any, contribution: Contribution, *, user: accounts.User, reason: str) -> None:
    """Reject a draft with ``reason`` (:class:`ContributionError` when it is no longer a draft)."""
    if not store.decide_contribution(
        conn, contribution_id=contribution.id, status="rejected", decided_by=user.username, reason=reason
    ):
        raise ContributionError(
            _("Contribution %(id)s was already %(s)s.", id=contribution.id, s=_(contribution.status))
        )


# ---------------------------------------------------------------- reading


def sees_every_contribution(user: accounts.User) -> bool:
    """The programme and administrators read every organisation's contributions; others their own."""
    return user.role in ("admin", "programme")


def may_read(user: accounts.User, contribution: Contribution) -> bool:
    return sees_every_contribution(user) or (
        user.organization is not None and contribution.organization == user.organization
    )


def problems_for(problems: Sequence[Problem], reader: accounts.User, owner: str | None) -> list[Problem]:
    """Problems of a contribution of organisation ``owner`` as ``reader`` may read them: a message about a
    confidential table may quote the contributor's figures (a sum of its shares), so only the contributor's
    users and administrators read it; others get a neutral text at the same place."""
    if reader.is_admin or (reader.organization is not None and reader.organization == owner):
        return list(problems)
    hidden = _("a confidential figure of the contributing organisation is inconsistent here")
    return [Problem(p.file, p.sheet, p.row, p.column, hidden) if p.sheet in RULES else p for p in problems]


def masked_changes(contribution: Contribution, viewer: Viewer, current: Dataset) -> dict[str, Any]:
    """A contribution's records with confidential figures of organisations other than ``viewer``'s left empty."""
    draft = stored_draft(contribution)
    owners = site_owners(current)
    upserts = {t: _json_rows(mask_table(t, df, viewer, owners)) for t, df in draft.upserts.items()}
    return {"upserts": upserts, "deletes": contribution.deletes}


def provenance_visible(entry: ProvenanceEntry, user: accounts.User) -> bool:
    """Provenance of a confidential table's record is shown to its organisation, the programme and admins."""
    return (
        sees_every_contribution(user)
        or entry.table not in RULES
        or (user.organization is not None and entry.organization == user.organization)
    )
