"""Confidentiality by difference: two stores that differ only in one organisation's secrets look the same to
everyone else.

BRAKE's shares, capacity, price, pool capacity and stock are changed in
store B; every GET route of the API (records, searches and sorts on hidden
fields, diffs, exports, the result of every analysis kind, job lists,
errors) is fetched from both stores by every user outside BRAKE.  The
responses must be identical, except in cells a result declares as the
viewer's own figure or as an aggregate that the disclosure rule lets the
viewer see (:mod:`importsub.model.results`): a buyer sees its own losses,
which depend on its suppliers' capacity, by design.  A result exported as
xlsx, CSV or HTML is rendered from the same masked tables and is judged by
its JSON; the versions' content hashes (which say that the data differ, not
how) are left out of the comparison.
"""

from __future__ import annotations

import io
import json
import re
import uuid
import zipfile
from typing import Any

import polars as pl
import pytest
from webenv import api_urls, make_env, run_every_analysis, web_dataset

from importsub.model.dataset import Dataset
from importsub.model.results import table_owners
from importsub.model.validate import check

VICTIM_SITE = "BRAKE-MSK"
OUTSIDERS = ("avto", "viewer", "ministry")
ORGS = {"avto": "AVTO", "viewer": "AVTO", "ministry": None}


def _perturbed(ds: Dataset) -> Dataset:
    """The same dataset with every confidential figure of BRAKE changed."""
    at = pl.col("site") == VICTIM_SITE
    return check(
        ds.replace(
            production=ds.production.with_columns(
                pl.when(at).then(pl.col("capacity") * 0.61).otherwise(pl.col("capacity")).alias("capacity"),
                pl.when(at).then(pl.col("unit_value") * 1.37).otherwise(pl.col("unit_value")).alias("unit_value"),
            ),
            capacity_pools=ds.capacity_pools.with_columns(
                pl.when(at).then(pl.col("capacity") * 0.5).otherwise(pl.col("capacity")).alias("capacity")
            ),
            inventory=ds.inventory.with_columns(
                pl.when(at).then(pl.col("units") * 3.0).otherwise(pl.col("units")).alias("units")
            ),
            supply_links=ds.supply_links.with_columns(
                pl.when(pl.col("buyer") == VICTIM_SITE)
                .then(pl.when(pl.col("supplier") == "FORE-1").then(0.4).otherwise(0.6))
                .otherwise(pl.col("share"))
                .alias("share")
            ),
        )
    )


_NOISE = (
    (re.compile(r"\d{4}-\d\d-\d\d[T ]\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:?\d\d)?"), "<time>"),
    (re.compile(r"\b[0-9a-f]{12,}\b"), "<hash>"),  # content hashes of the versions (they do differ)
    (re.compile(r"sqlite:[^\"' ]+|postgresql[^\"' ]+"), "<store>"),
    (re.compile(r"isk_[A-Za-z0-9_-]{6}"), "<token prefix>"),  # random per store
)


def _normal(content: bytes) -> str:
    if content[:2] == b"PK":
        with zipfile.ZipFile(io.BytesIO(content)) as zf:
            text = "\n".join(f"{n}:{zf.read(n).decode('utf-8', 'replace')}" for n in sorted(zf.namelist()))
    else:
        text = content.decode("utf-8", "replace")
    for pattern, repl in _NOISE:
        text = pattern.sub(repl, text)
    return text


def _permitted(kind: str, table: str, column: str) -> bool:
    """A column whose cells may differ: the viewer's own figure or a disclosed aggregate (masking left it)."""
    fig = table_owners(kind, table).get(column)
    return fig is not None and fig.kind in ("site", "organization", "aggregate")


def _blank_permitted(doc: dict[str, Any], kind: str) -> dict[str, Any]:
    for table, t in list(doc.get("tables", {}).items()):
        if isinstance(t, list):  # an export: records as objects
            columns = list(t[0]) if t else []
            t = doc["tables"][table] = {"columns": columns, "rows": [[r[c] for c in columns] for r in t]}
        cols = [i for i, c in enumerate(t["columns"]) if _permitted(kind, table, c)]
        t["rows"] = [["<permitted>" if i in cols else v for i, v in enumerate(row)] for row in t["rows"]]
    return doc


def _responses(db: str, ds: Dataset) -> tuple[dict[tuple[str, str], tuple[int, bytes, Any]], dict[str, int], int]:
    """Every GET route's response to every outsider, on a store holding ``ds`` with every analysis run once.

    Returns (who, url) -> (status, content, JSON or None), the job ids by kind, and how many differ for BRAKE
    itself between its own view and an outsider's on the supply links (a control)."""
    gen = make_env(db, versions=1, dataset=ds)
    env = next(gen)
    try:
        ids = run_every_analysis(env)
        out = {}
        for who in (*OUTSIDERS, "brake"):
            for url in api_urls(env, ids):
                r = env.get(who, url)
                is_json = r.headers.get("content-type", "").startswith("application/json")
                out[who, url] = (r.status_code, r.content, r.json() if is_json else None)
        return out, ids, len(out)
    finally:
        gen.close()


def _compare(db_a: str, db_b: str) -> int:
    ds = web_dataset()
    a, ids, _ = _responses(db_a, ds)
    b, ids_b, _ = _responses(db_b, _perturbed(ds))
    assert ids == ids_b
    kind_of_job = {str(j): k for k, j in ids.items()}
    links = "/api/datasets/plant/records/supply_links"
    # control: BRAKE itself sees the difference (so the comparison can fail)
    assert _normal(a["brake", links][1]) != _normal(b["brake", links][1])
    checked, told = 0, []
    for (who, url), (status_a, content_a, json_a) in a.items():
        if who == "brake":
            continue
        status_b, content_b, json_b = b[who, url]
        assert status_a == status_b, (who, url, status_a, status_b)
        checked += 1
        if _normal(content_a) == _normal(content_b):
            continue
        m = re.match(r"/api/jobs/(\d+)/(result|export)", url)
        if m and not isinstance(json_a, dict):  # a result exported as xlsx, CSV or HTML: judged by its JSON
            _, _, json_a = a[who, f"/api/jobs/{m.group(1)}/result"]
            _, _, json_b = b[who, f"/api/jobs/{m.group(1)}/result"]
        if not m or not isinstance(json_a, dict) or "tables" not in json_a:
            told.append(f"{who}: {url}")
            continue
        kind = kind_of_job[m.group(1)]
        told += [
            f"{who}: {kind} {what}"
            for what in _differences(_blank_permitted(json_a, kind), _blank_permitted(json_b, kind))
        ]
    assert not told, "outsiders can tell the two stores apart:\n" + "\n".join(sorted(set(told)))
    return checked


def _differences(a: dict[str, Any], b: dict[str, Any]) -> list[str]:
    """Where two result documents differ: the fingerprint, a table's columns, rows or one column's cells."""

    def norm(x: Any) -> str:
        return _normal(json.dumps(x, sort_keys=True).encode())

    out = [] if norm(a.get("fingerprint")) == norm(b.get("fingerprint")) else ["fingerprint"]
    for name, ta in a["tables"].items():
        tb = b["tables"].get(name)
        if tb is None or ta["columns"] != tb["columns"] or len(ta["rows"]) != len(tb["rows"]):
            out.append(f"{name}: shape")
            continue
        out += [
            f"{name}/{col}"
            for i, col in enumerate(ta["columns"])
            if norm([r[i] for r in ta["rows"]]) != norm([r[i] for r in tb["rows"]])
        ]
    return out


def test_no_route_tells_two_stores_apart_that_differ_in_another_organisations_secrets(tmp_path: Any) -> None:
    assert _compare(str(tmp_path / "a.sqlite"), str(tmp_path / "b.sqlite")) > 200


@pytest.mark.postgres
def test_the_same_on_postgresql(pg_url: str) -> None:
    import sqlalchemy as sa

    base = pg_url.partition("?")[0]
    second = f"t_{uuid.uuid4().hex[:12]}"
    eng = sa.create_engine(base)
    with eng.begin() as conn:
        conn.execute(sa.text(f'CREATE SCHEMA "{second}"'))
    try:
        assert _compare(pg_url, f"{base}?options=-csearch_path%3D{second}") > 200
    finally:
        with eng.begin() as conn:
            conn.execute(sa.text(f'DROP SCHEMA "{second}" CASCADE'))
        eng.dispose()
