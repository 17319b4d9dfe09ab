"""Confidentiality: an organisation's shares, prices and capacities never reach another organisation.

The dataset's confidential figures are distinctive numbers; every route,
list, search, diff, export, analysis result and page is fetched as each kind
of user and searched for the figures that user must not see.  Positive
controls check that the owners (and admins) do see them, so the searches
can fail.
"""

from __future__ import annotations

import io
import re
import zipfile

import polars as pl
import pytest
from webenv import (
    AVTO_SHARES,
    BRAKE_CAPACITY,
    SECRETS_OF_AVTO,
    SECRETS_OF_BRAKE,
    Env,
    api_urls,
    login,
    run_every_analysis,
    share_texts,
    web_dataset,
)

from importsub.model.errors import Problem
from importsub.web.confidentiality import Viewer, mask_dataset, mask_result, redact_problems, site_owners

# AVTO's revised shares in version 2
SECRETS_OF_AVTO_ALL = SECRETS_OF_AVTO + share_texts((0.7137, 0.2863))

# who must not see whose figures (viewer of AVTO sees AVTO's)
FORBIDDEN = {
    "brake": SECRETS_OF_AVTO_ALL,
    "ministry": SECRETS_OF_AVTO_ALL + SECRETS_OF_BRAKE,
    "avto": SECRETS_OF_BRAKE,
    "viewer": SECRETS_OF_BRAKE,
}


def _text(content: bytes, content_type: str) -> str:
    """Response content as searchable text (an xlsx or zip is unpacked, a PDF's text extracted)."""
    if content[:5] == b"%PDF-":
        text = _pdf_text(content)
        assert text is not None
        return text
    if content[:2] == b"PK":
        parts = []
        with zipfile.ZipFile(io.BytesIO(content)) as zf:
            for name in zf.namelist():
                parts.append(zf.read(name).decode("utf-8", "replace"))
        return "\n".join(parts)
    return content.decode("utf-8", "replace")


def _leaks(text: str, forbidden: list[str]) -> list[str]:
    found = []
    for s in forbidden:
        # a figure counts when not part of a longer number (e.g. inside a hash or a coordinate)
        if re.search(rf"(?<![0-9A-Za-z.,]){re.escape(s)}(?![0-9])", text):
            found.append(s)
    return found


def _pdf_text(content: bytes) -> str | None:
    """The text of a PDF (None when no PDF reader is installed)."""
    try:
        import pypdf
    except ImportError:
        return None
    return "\n".join(p.extract_text() for p in pypdf.PdfReader(io.BytesIO(content)).pages)


def _can_print_pdf() -> bool:
    import importlib.util

    from importsub.web.services.reports import find_chromium

    return find_chromium() is not None and importlib.util.find_spec("pypdf") is not None


@pytest.fixture(scope="module")
def jobs_done(shared_env: Env) -> dict[str, int]:
    """Every registered analysis run once on the latest version (by the admin)."""
    ids = run_every_analysis(shared_env)
    for kind, job_id in ids.items():
        assert shared_env.get("admin", f"/api/jobs/{job_id}").json()["status"] == "done", kind
    return ids


@pytest.mark.parametrize("who", ["brake", "ministry", "avto", "viewer"])
def test_no_api_route_shows_another_organisations_figures(shared_env: Env, jobs_done: dict[str, int], who: str) -> None:
    checked = 0
    # the ministry may see the least: its PDFs are printed and searched too (when Chromium and pypdf are here)
    pdf = who == "ministry" and _can_print_pdf()
    for url in api_urls(shared_env, jobs_done, pdf=pdf):
        r = shared_env.get(who, url)
        if r.status_code == 403:  # admin-only routes
            continue
        assert r.status_code == 200, (url, r.status_code, r.text[:300])
        leaks = _leaks(_text(r.content, r.headers.get("content-type", "")), FORBIDDEN[who])
        assert not leaks, f"{who} reads {leaks} at {url}"
        checked += 1
    assert checked > 80


def test_owners_and_admins_see_their_figures(shared_env: Env, jobs_done: dict[str, int]) -> None:
    """Positive controls: the same searches find the figures where they are allowed."""
    links = "/api/datasets/plant/records/supply_links?version=1"
    assert _leaks(shared_env.get("avto", links).text, SECRETS_OF_AVTO)
    assert _leaks(shared_env.get("brake", links).text, SECRETS_OF_BRAKE)
    assert _leaks(shared_env.get("admin", links).text, SECRETS_OF_AVTO + SECRETS_OF_BRAKE)
    prod = shared_env.get("brake", "/api/datasets/plant/records/production").json()["records"]
    assert {(r["site"], r["capacity"]) for r in prod if r["capacity"] is not None} == {("BRAKE-MSK", BRAKE_CAPACITY)}
    export = shared_env.get("avto", "/api/datasets/plant/export?format=json&version=1")
    assert _leaks(export.text, SECRETS_OF_AVTO)
    diff = shared_env.get("avto", "/api/datasets/plant/diff").json()
    assert any("share" in c["fields"] for c in diff["changes"])
    # an analysis result keeps the owner's own rows: AVTO's utilisation, BRAKE's hidden
    nodes = shared_env.get("avto", f"/api/jobs/{jobs_done['demand']}/result").json()["tables"]["nodes"]
    site, util = nodes["columns"].index("site"), nodes["columns"].index("utilisation [%]")
    by_site = {row[site]: row[util] for row in nodes["rows"]}
    assert by_site["AVTO-TLT"] is not None
    assert by_site["BRAKE-MSK"] is None


def test_masked_records_keep_structure(shared_env: Env) -> None:
    """Who buys what from whom stays visible; only the share is blank."""
    rows = shared_env.get("brake", "/api/datasets/plant/records/supply_links").json()["records"]
    assert {(r["buyer"], r["supplier"]) for r in rows} == {
        ("AVTO-TLT", "BRAKE-MSK"),
        ("AVTO-TLT", "FORE-1"),
        ("BRAKE-MSK", "FORE-1"),
        ("BRAKE-MSK", "PAD-CN"),
    }
    shares = {(r["buyer"], r["supplier"]): r["share"] for r in rows}
    assert shares[("AVTO-TLT", "BRAKE-MSK")] is None
    assert shares[("BRAKE-MSK", "FORE-1")] == 0.7171
    # a filter on a hidden field finds nothing; sorting by it keeps the key order
    assert shared_env.get("brake", "/api/datasets/plant/records/supply_links?where=share=0.7137").json()["total"] == 0
    by_share = shared_env.get("ministry", "/api/datasets/plant/records/supply_links?sort=-share").json()["records"]
    assert [(r["buyer"], r["supplier"]) for r in by_share] == sorted((r["buyer"], r["supplier"]) for r in by_share)


def test_aggregates_are_shown_to_everyone(shared_env: Env, jobs_done: dict[str, int]) -> None:
    """The import content of AVTO's car is an aggregate: a ministry analyst sees it.

    Independent computation: the car (value 987,654 RUB at Togliatti) uses 4 brake units,
    from BRAKE-MSK (BY, share 0.7137 in v2, 20,011.25 RUB) and FORE-1 (DE, 0.2863, 22,000 RUB);
    a BRAKE-MSK unit uses 8 pads from FORE-1 (DE, 0.7171, 950 RUB) and PAD-CN (CN, 0.2829, 800 RUB).
    Imported value per car = 4 · [0.2863 · 22000 + 0.7137 · 8 · (0.7171 · 950 + 0.2829 · 800)];
    the German brake units and the pads have no mapped inputs, so all their value is foreign.
    """
    imported = 4 * (0.2863 * 22000 + 0.7137 * 8 * (0.7171 * 950 + 0.2829 * 800))
    expected = 100 * imported / 987654.0
    oems = shared_env.get("ministry", f"/api/jobs/{jobs_done['localisation']}/result").json()["tables"]["oems"]
    row = dict(zip(oems["columns"], oems["rows"][0], strict=True))
    assert row["organization"] == "AVTO"
    assert row["import content [%]"] == pytest.approx(expected, rel=1e-9)


def test_pages_do_not_show_another_organisations_figures(shared_env: Env, jobs_done: dict[str, int]) -> None:
    from fastapi.testclient import TestClient

    pages = [
        "/",
        "/explorer",
        "/explorer?vehicle=AVTO-TLT|CAR&depth=4",
        "/datasets",
        "/datasets/plant",
        "/datasets/plant/diff",
        "/analyses",
    ]
    pages += [
        f"/datasets/plant/records/{t}?version={v}"
        for t in ("supply_links", "production", "capacity_pools", "inventory")
        for v in (1, 2)
    ]
    pages += ["/shocks", "/risk", "/risk?by=site", "/risk?by=country"]
    pages += [f"/jobs/{j}" for j in jobs_done.values()]
    for who in ("brake", "ministry"):
        client = TestClient(shared_env.client.app, base_url="http://testserver")
        login(client, who)
        for url in pages:
            r = client.get(url)
            assert r.status_code == 200, (who, url, r.status_code)
            leaks = _leaks(r.text, FORBIDDEN[who])
            assert not leaks, f"{who} reads {leaks} on page {url}"
        # the explorer says the share is hidden rather than showing it
        tree = client.get("/explorer?vehicle=AVTO-TLT|CAR")
        if who == "brake":
            assert "share hidden" in tree.text
            assert "71.7" in tree.text  # BRAKE's own pad share, shown with one decimal


def test_mask_functions_directly() -> None:
    ds = web_dataset()
    for viewer, hidden_buyers in (
        (Viewer("AVTO"), {"BRAKE-MSK"}),
        (Viewer("BRAKE"), {"AVTO-TLT"}),
        (Viewer(None), {"AVTO-TLT", "BRAKE-MSK"}),
    ):
        masked = mask_dataset(ds, viewer)
        for buyer, share in masked.supply_links.select("buyer", "share").iter_rows():
            assert (share is None) == (buyer in hidden_buyers)
        assert masked.inventory["units"].to_list() == ([None] if "BRAKE-MSK" in hidden_buyers else [4321.5])
        # nothing else changes
        assert masked.sites.equals(ds.sites)
        assert masked.bom.equals(ds.bom)
    assert mask_dataset(ds, Viewer(None, is_admin=True)) is ds
    # result columns without an owner column are hidden from non-admins
    t = {"x": pl.DataFrame({"share [%]": [61.37]})}
    assert mask_result(t, Viewer("AVTO"), site_owners(ds))["x"]["share [%]"].to_list() == [None]
    assert mask_result(t, Viewer(None, True), site_owners(ds))["x"]["share [%]"].to_list() == [61.37]


def test_validation_messages_about_other_organisations_are_redacted() -> None:
    ds = web_dataset()
    row_of_brake = ds.supply_links["buyer"].to_list().index("BRAKE-MSK") + 1
    row_of_avto = ds.supply_links["buyer"].to_list().index("AVTO-TLT") + 1
    problems = [
        Problem(None, "supply_links", row_of_brake, "share", "shares of BRAKE-MSK / PAD sum to 0.7171 + 0.2829"),
        Problem(None, "supply_links", row_of_avto, "share", "shares of AVTO-TLT / BRK sum to 0.6137"),
        Problem(None, "sites", 1, "lat", "latitude 123 out of range"),
    ]
    out = redact_problems(problems, Viewer("AVTO"), ds)
    assert "0.7171" not in out[0].message
    assert out[0].row == row_of_brake
    assert out[1] == problems[1]
    assert out[2] == problems[2]
    assert redact_problems(problems, Viewer(None, True), ds) == problems
    assert AVTO_SHARES[0] == 0.6137


def test_the_negative_value_added_message_does_not_quote_the_suppliers_prices(env: Env) -> None:
    """An analyst probes with its own row: its car priced at 1 RUB is refused, the message naming its own value
    but not what its inputs cost (4 brakes × Σ share · the suppliers' hidden prices: with all of its brakes
    from BRAKE that is 4 × BRAKE's price).  The administrator still reads the cost, equal to the sum by hand."""
    base = "/api/datasets/plant"
    records = {t: env.get("admin", f"{base}/records/{t}").json()["records"] for t in ("supply_links", "production")}
    price = {(r["site"], r["part"]): r["unit_value"] for r in records["production"]}
    cost = sum(
        4 * r["share"] * (price[(r["supplier"], "BRK")] or 21_000.0)
        for r in records["supply_links"]
        if r["buyer"] == "AVTO-TLT"
    )
    car = next(r for r in env.get("avto", f"{base}/records/production").json()["records"] if r["site"] == "AVTO-TLT")
    probe = {"records": [{**car, "unit_value": 1.0}]}
    for who in ("avto", "admin"):
        r = env.post(who, f"{base}/records/production", json=probe)
        assert r.status_code == 422, r.text
        (problem,) = r.json()["problems"]
        assert problem["message"].startswith("negative value added"), problem
        assert "CAR at AVTO-TLT" in problem["message"]
        numbers = re.findall(r"\d[\d.,]*\d|\d", problem["message"])
        if who == "avto":
            assert numbers == ["1.0"], problem  # its own value only
            assert not any(t in r.text for t in SECRETS_OF_BRAKE)
        else:
            assert float(numbers[0]) == pytest.approx(cost, abs=0.01), (problem, cost)
    # a draft with the same probe: its problems are redacted the same way
    r = env.post("avto", f"{base}/contributions", json={"upserts": {"production": probe["records"]}})
    assert "negative value added" in r.text, r.text[:1000]
    assert f"{cost:.2f}" not in r.text
    assert not any(t in r.text for t in SECRETS_OF_BRAKE)


def test_source_texts_of_other_organisations_are_not_shown(env: Env) -> None:
    """A ``source`` note written by the owner ("price 20011.25 × 0.9") quotes its hidden figures: the note of
    another organisation's confidential row is left empty like its figures; the owner reads its own."""
    base = "/api/datasets/plant"
    row = next(r for r in env.get("brake", f"{base}/records/production").json()["records"] if r["site"] == "BRAKE-MSK")
    note = "price 20011.25 × 0.9 (contract)"
    r = env.post("brake", f"{base}/records/production", json={"records": [{**row, "source": note}]})
    assert r.status_code == 201, r.text
    assert note in env.get("brake", f"{base}/records/production").text
    assert note in env.get("admin", f"{base}/records/production").text
    for who in ("avto", "viewer", "ministry"):
        for url in (f"{base}/records/production", f"{base}/export?format=json"):
            text = env.get(who, url).content.decode()
            assert "20011.25" not in text, (who, url)
            assert "× 0.9" not in text, (who, url)
            assert "\\u00d7 0.9" not in text, (who, url)
