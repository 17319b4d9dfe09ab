"""What a draft would change (the diff the programme reviews), against an independent field-by-field comparison
in plain Python, for random edits of one organisation's rows (hypothesis); and its masking."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st
from webenv import web_dataset

from importsub.model.schema import table as record_type
from importsub.store.contributions import DELETED, Contribution, record_key
from importsub.web.confidentiality import ADMIN, RULES, Viewer
from importsub.web.services.contributions import draft_diff, draft_from_records

CURRENT = web_dataset()
AVTO_ROWS = {
    "supply_links": [r for r in CURRENT.supply_links.to_dicts() if r["buyer"] == "AVTO-TLT"],
    "production": [r for r in CURRENT.production.to_dicts() if r["site"] == "AVTO-TLT"],
}
NEW_STOCK = {"site": "AVTO-TLT", "part": "BRK", "units": 10.0, "source": None}


def _contribution(upserts: dict[str, list[dict[str, Any]]], deletes: dict[str, list[dict[str, Any]]]) -> Contribution:
    draft = draft_from_records(upserts, deletes)
    return Contribution(
        id=1,
        dataset="plant",
        base_version=1,
        organization="AVTO",
        submitted_by=None,
        username="avto",
        submitted_at=datetime.now(UTC),
        source="api",
        note=None,
        status="draft",
        changes=draft.to_json(),
        problems=[],
        contradictions=[],
        decided_by=None,
        decided_at=None,
        reason=None,
        version=None,
    )


def _expected(
    upserts: dict[str, list[dict[str, Any]]], deletes: dict[str, list[dict[str, Any]]]
) -> set[tuple[str, str, str, str]]:
    """(table, record, field, change) by comparing dicts: a record sent replaces the stored one whole."""
    out = set()
    for t, rows in upserts.items():
        rt = record_type(t)
        stored = {tuple(r[k] for k in rt.key): r for r in CURRENT.tables[t].to_dicts()}
        for r in rows:
            k = tuple(r[k] for k in rt.key)
            for f in rt.field_names:
                if f in rt.key:
                    continue
                new = r.get(f, next(x.default for x in rt.fields if x.name == f))
                if k not in stored:
                    if new is not None:
                        out.add((t, record_key(k), f, "added"))
                elif stored[k][f] != new:
                    out.add((t, record_key(k), f, "changed"))
    for t, keys in deletes.items():
        rt = record_type(t)
        stored_keys = {tuple(r[k] for k in rt.key) for r in CURRENT.tables[t].to_dicts()}
        for key in keys:
            k = tuple(key[c] for c in rt.key)
            if k in stored_keys:
                out.add((t, record_key(k), DELETED, "deleted"))
    return out


shares = st.floats(0.01, 0.99, allow_nan=False).map(lambda x: round(x, 4))


@settings(max_examples=40, deadline=None)
@given(
    share=shares,
    capacity=st.sampled_from([None, 150_000.0, AVTO_ROWS["production"][0]["capacity"]]),
    recover=st.floats(0, 52, allow_nan=False).map(lambda x: round(x, 1)),
    add_stock=st.booleans(),
    delete_link=st.booleans(),
)
def test_the_diff_lists_exactly_the_values_that_change(
    share: float, capacity: float | None, recover: float, add_stock: bool, delete_link: bool
) -> None:
    links = [dict(r) for r in AVTO_ROWS["supply_links"]]
    links[0]["share"], links[1]["share"] = share, round(1 - share, 4)
    car = dict(AVTO_ROWS["production"][0], time_to_recover=recover)
    if capacity is not None:
        car["capacity"] = capacity
    upserts: dict[str, list[dict[str, Any]]] = {
        "supply_links": links[1:] if delete_link else links,
        "production": [car],
    }
    if add_stock:
        upserts["inventory"] = [NEW_STOCK]
    deletes = {"supply_links": [{k: links[0][k] for k in ("buyer", "part", "supplier")}]} if delete_link else {}
    c = _contribution(upserts, deletes)
    got = draft_diff(c, CURRENT, ADMIN)
    assert {(d["table"], d["record"], d["field"], d["change"]) for d in got} == _expected(upserts, deletes)
    # values as an administrator: the stored one and the sent one
    for d in got:
        if d["change"] == "changed":
            assert d["latest"] != d["draft"]
            assert not d["hidden"]
    # another organisation, or the programme: every confidential figure of AVTO hidden, nothing else
    for viewer in (Viewer("BRAKE"), Viewer(None)):
        masked = draft_diff(c, CURRENT, viewer)
        assert [(d["table"], d["record"], d["field"]) for d in masked] == [
            (d["table"], d["record"], d["field"]) for d in got
        ]
        for d in masked:
            secret = d["table"] in RULES and d["field"] in RULES[d["table"]].fields
            if d["change"] != "deleted":
                assert d["hidden"] == secret
            if secret:
                assert (d["latest"], d["draft"]) == (None, None)
    # the submitter's own organisation sees its figures
    assert draft_diff(c, CURRENT, Viewer("AVTO")) == [{**d, "hidden": False} if "hidden" in d else d for d in got]
