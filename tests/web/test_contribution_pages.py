"""Contributions through the dashboard's forms: an analyst edits their organisation's rows on a record page or
uploads a file, and gets a draft; the programme reviews it (diff, problems, contradictions) and accepts or
rejects it; the submitter sees the outcome.  CSRF and role checks as every form; a refused row says why."""

from __future__ import annotations

import html
import re
from collections.abc import Iterator

import polars as pl
import pytest
from fastapi.testclient import TestClient
from webenv import AVTO_CAPACITY, SECRETS_OF_AVTO, SECRETS_OF_BRAKE, Env, login, make_env

from importsub.store import contributions as stored
from importsub.web import Settings

LINKS = "/datasets/plant/records/supply_links/edit"


class Browser:
    """A signed-in user's TestClient and the session's CSRF token."""

    def __init__(self, env: Env, who: str) -> None:
        self.client = TestClient(env.client.app, base_url="http://testserver")
        self.csrf = login(self.client, who)

    def get(self, url: str):  # type: ignore[no-untyped-def]
        return self.client.get(url)

    def post(self, url: str, data: dict[str, str] | None = None, **kw: object):  # type: ignore[no-untyped-def]
        return self.client.post(url, data={**(data or {}), "csrf_token": self.csrf}, follow_redirects=False, **kw)  # type: ignore[arg-type]


def form_of(html: str, form_id: str) -> dict[str, str]:
    """The named inputs of form ``form_id`` as a browser would send them (checkboxes left unticked)."""
    m = re.search(rf'<form[^>]*id="{form_id}".*?</form>', html, re.S)
    assert m, form_id
    fields = {}
    for tag in re.findall(r"<input[^>]*>", m.group(0)):
        name = re.search(r'name="([^"]+)"', tag)
        if name is None or 'type="checkbox"' in tag:
            continue
        value = re.search(r'value="([^"]*)"', tag)
        fields[name.group(1)] = value.group(1) if value else ""
    return fields


def _row_index(fields: dict[str, str], supplier: str) -> int:
    return next(int(k[1:].split(".")[0]) for k, v in fields.items() if k.endswith(".supplier") and v == supplier)


def _contributions(env: Env) -> list[stored.Contribution]:
    with env.store.engine.connect() as conn:
        return stored.list_contributions(conn, dataset="plant", every_organization=True)


def _draft_id(response) -> int:  # type: ignore[no-untyped-def]
    assert response.status_code == 303, response.text[:2000]
    m = re.fullmatch(r"/contributions/(\d+)\?submitted=1", response.headers["location"])
    assert m, response.headers["location"]
    return int(m.group(1))


@pytest.fixture
def avto(env: Env) -> Browser:
    return Browser(env, "avto")


@pytest.fixture
def ministry(env: Env) -> Browser:
    return Browser(env, "ministry")


def test_edit_rows_on_the_record_page_submit_and_the_programme_accepts(
    env: Env, avto: Browser, ministry: Browser
) -> None:
    record_page = avto.get("/datasets/plant/records/supply_links")
    assert 'id="edit-as-contribution"' in record_page.text
    page = avto.get(LINKS)
    assert page.status_code == 200
    fields = form_of(page.text, "contribution-form")
    # only AVTO's rows (buyer AVTO-TLT) are offered for editing
    buyers = {v for k, v in fields.items() if re.fullmatch(r"r\d+\.buyer", k)}
    assert buyers == {"AVTO-TLT"}
    a, b = _row_index(fields, "BRAKE-MSK"), _row_index(fields, "FORE-1")
    fields.update({f"r{a}.share": "0.55", f"r{b}.share": "0.45", "note": "новые доли"})
    before = env.store.versions("plant")[-1].version
    draft = _draft_id(avto.post(LINKS, fields))
    assert env.store.versions("plant")[-1].version == before  # a draft, not a version
    (c,) = _contributions(env)
    assert (c.id, c.status, c.organization, c.note) == (draft, "draft", "AVTO", "новые доли")
    assert {r["supplier"]: r["share"] for r in c.upserts["supply_links"]} == {"BRAKE-MSK": 0.55, "FORE-1": 0.45}
    assert c.deletes == {}  # unchanged rows are not sent
    mine = avto.get(f"/contributions/{draft}?submitted=1")
    assert "Submitted as a draft" in mine.text
    assert "No problems" in mine.text
    assert "0.7137" in mine.text  # the submitter sees its own figures in the diff

    # the programme: the list of drafts, the draft with AVTO's figures hidden, then accept
    listing = ministry.get("/contributions")
    assert f'href="/contributions/{draft}"' in listing.text
    review = ministry.get(f"/contributions/{draft}")
    assert review.status_code == 200
    assert 'id="accept-form"' in review.text
    diff = re.search(r'<table id="draft-diff">.*?</table>', review.text, re.S)
    assert diff
    assert diff.group(0).count("🔒") == 4  # two shares, latest and draft
    assert not any(s in review.text for s in (*SECRETS_OF_AVTO, "0.55", "0.45", "0.7137"))
    accepted = ministry.post(f"/contributions/{draft}/accept")
    assert accepted.status_code == 303, accepted.text[:2000]
    new = env.store.read_dataset("plant")
    assert new.version == before + 1
    shares = dict(new.supply_links.filter(pl.col("buyer") == "AVTO-TLT").select("supplier", "share").iter_rows())
    assert shares == {"BRAKE-MSK": 0.55, "FORE-1": 0.45}
    # the submitter sees the outcome
    outcome = avto.get(f"/contributions/{draft}")
    assert f"Accepted by ministry into version {before + 1}." in outcome.text
    assert 'id="accept-form"' not in outcome.text
    assert ministry.post(f"/contributions/{draft}/accept").status_code == 409  # decided once


def test_a_refused_row_says_why_and_nothing_is_stored(env: Env, avto: Browser) -> None:
    page = avto.get("/datasets/plant/records/inventory/edit")
    fields = form_of(page.text, "contribution-form")
    assert fields["rows"] == "0"  # AVTO holds no stock: nothing to edit, rows to add
    fields.update({"n0.site": "BRAKE-MSK", "n0.part": "PAD", "n0.units": "1"})
    refused = avto.post("/datasets/plant/records/inventory/edit", fields)
    assert refused.status_code == 403
    assert "You may not change some of these records." in refused.text
    problems = re.search(r'<section class="card" id="problems">.*?</section>', refused.text, re.S)
    assert problems
    cells = re.findall(r"<td[^>]*>(.*?)</td>", problems.group(0))
    assert cells[:4] == ["form", "inventory", "1", "site"]
    assert "belongs to the organisation of site BRAKE-MSK; only its users or an administrator may change it" in cells[4]
    assert 'value="BRAKE-MSK"' in refused.text  # what was typed is kept
    # deleting another organisation's row through a doctored form: refused too, with why
    links = form_of(avto.get(LINKS).text, "contribution-form")
    links.update({"r0.was.buyer": "BRAKE-MSK", "r0.was.part": "PAD", "r0.was.supplier": "FORE-1", "r0.delete": "1"})
    doctored = avto.post(LINKS, links)
    assert doctored.status_code == 403
    assert "belongs to the organisation of site BRAKE-MSK" in doctored.text
    assert _contributions(env) == []
    assert not any(s in doctored.text + refused.text for s in SECRETS_OF_BRAKE)


def test_roles_and_csrf_are_checked_on_every_contribution_form(env: Env, avto: Browser) -> None:
    viewer = Browser(env, "viewer")
    fields = form_of(avto.get(LINKS).text, "contribution-form")
    denied = viewer.post(LINKS, fields)
    assert denied.status_code == 403
    assert "Your role (viewer) can only read." in denied.text
    assert viewer.get(LINKS).status_code == 403
    assert 'id="edit-as-contribution"' not in viewer.get("/datasets/plant/records/supply_links").text
    # without the session's CSRF token a form is refused
    forged = avto.client.post(LINKS, data={k: v for k, v in fields.items() if k != "csrf_token"})
    assert forged.status_code == 403
    assert "did not come from this site" in forged.text
    fields["n0.buyer"], fields["n0.part"], fields["n0.supplier"], fields["n0.share"] = "AVTO-TLT", "PAD", "PAD-CN", "1"
    draft = _draft_id(avto.post(LINKS, fields))
    # an analyst does not decide, not even on its own draft
    for url, data in ((f"/contributions/{draft}/accept", {}), (f"/contributions/{draft}/reject", {"reason": "x"})):
        r = avto.post(url, data)
        assert r.status_code == 403, url
        assert "Only the programme or an administrator can do this" in r.text
        assert avto.client.post(url, data=data).status_code == 403  # and no CSRF token: refused before that
    assert 'id="accept-form"' not in avto.get(f"/contributions/{draft}").text
    # another organisation does not see it at all
    brake = Browser(env, "brake")
    assert brake.get(f"/contributions/{draft}").status_code == 404
    assert f'href="/contributions/{draft}"' not in brake.get("/contributions").text
    assert _contributions(env)[0].status == "draft"
    # a doctored form with nothing in it, or row counts that are not numbers: nothing to submit, said so
    for counts in ({"rows": "abc", "new": "-1"}, {"rows": "0", "new": "0"}):
        empty = avto.post(LINKS, counts)
        assert empty.status_code == 422, counts
        assert "the contribution holds no records" in empty.text
    assert len(_contributions(env)) == 1


def test_a_draft_shows_its_problems_and_contradictions_and_can_be_rejected(
    env: Env, avto: Browser, ministry: Browser
) -> None:
    fields = form_of(avto.get(LINKS).text, "contribution-form")
    a = _row_index(fields, "BRAKE-MSK")
    # one share changed alone: the shares no longer sum to 1; and a supplier that does not make the part
    fields.update({f"r{a}.share": "0.5"})
    fields.update({"n0.buyer": "AVTO-TLT", "n0.part": "BRK", "n0.supplier": "PAD-CN", "n0.share": "0.1"})
    draft = _draft_id(avto.post(LINKS, fields))
    page = avto.get(f"/contributions/{draft}")
    problems = re.search(r'<section class="card" id="draft-problems">.*?</section>', page.text, re.S)
    assert problems
    assert "share" in problems.group(0)
    assert "cannot be accepted as it is" in problems.group(0)
    cells = re.findall(r"<td[^>]*>(.*?)</td>", problems.group(0))
    assert cells[cells.index("form") : cells.index("form") + 4] == ["form", "supply_links", "3", "supplier,part"]
    flags = re.search(r'<section class="card" id="contradictions">.*?</section>', page.text, re.S)
    assert flags
    assert "the shares of buyer AVTO-TLT for part BRK do not sum to 1 after the merge" in flags.group(0)
    assert "PAD-CN has no production of BRK" in flags.group(0)
    # the draft keeps each problem's message id and parameters: a Russian page renders the message from them
    (stored,) = [p for c in _contributions(env) if c.id == draft for p in c.problems if p["column"] == "supplier,part"]
    assert stored["message_id"] == "no_record"
    assert stored["message"] in html.unescape(problems.group(0))
    avto.post("/language", {"lang": "ru", "next": "/"})
    russian = re.search(
        r'<section class="card" id="draft-problems">.*?</section>', avto.get(f"/contributions/{draft}").text, re.S
    )
    assert russian
    said = html.unescape(russian.group(0))
    assert "нет записи production с (site, part) = PAD-CN | BRK (поставщик должен выпускать это изделие)" in said
    assert stored["message"] not in said
    avto.post("/language", {"lang": "en", "next": "/"})
    # the programme cannot accept it; it rejects it, with a reason required
    refused = ministry.post(f"/contributions/{draft}/accept")
    assert refused.status_code == 422
    assert "does not fit the latest version; nothing was written" in refused.text
    assert ministry.post(f"/contributions/{draft}/reject", {"reason": "  "}).status_code == 400
    done = ministry.post(f"/contributions/{draft}/reject", {"reason": "доли не дают 1"})
    assert done.status_code == 303
    outcome = avto.get(f"/contributions/{draft}")
    assert "Rejected by ministry: доли не дают 1" in outcome.text
    assert 'class="status-rejected"' in avto.get("/contributions?status=rejected").text


def test_a_file_uploaded_as_a_contribution(env: Env, avto: Browser, ministry: Browser) -> None:
    good = ("inventory.csv", b"site,part,units\nAVTO-TLT,BRK,2500\n", "text/csv")
    draft = _draft_id(avto.post("/contributions/upload?dataset=plant", {"note": "склад"}, files={"file": good}))
    (c,) = _contributions(env)
    assert (c.id, c.source, c.upserts) == (
        draft,
        "inventory.csv",
        {"inventory": [{"site": "AVTO-TLT", "part": "BRK", "units": 2500.0, "source": None}]},
    )
    assert "2,500" in avto.get(f"/contributions/{draft}").text
    assert "2,500" not in ministry.get(f"/contributions/{draft}").text  # AVTO's stock
    bad = ("inventory.csv", b"site,part,units\nAVTO-TLT,BRK,a lot\n", "text/csv")
    r = avto.post("/contributions/upload?dataset=plant", files={"file": bad})
    assert r.status_code == 422
    cells = re.findall(r"<td[^>]*>(.*?)</td>", r.text)
    assert cells[cells.index("inventory.csv") : cells.index("inventory.csv") + 4] == [
        "inventory.csv",
        "inventory",
        "2",
        "units",
    ]
    foreign = ("inventory.csv", b"site,part,units\nBRAKE-MSK,PAD,1\n", "text/csv")
    r = avto.post("/contributions/upload?dataset=plant", files={"file": foreign})
    assert r.status_code == 403
    assert "belongs to the organisation of site BRAKE-MSK" in r.text
    r = avto.post("/contributions/upload?dataset=plant", files={"file": ("x.txt", b"hello", "text/plain")})
    assert r.status_code == 400
    assert "unknown file type" in r.text
    assert len(_contributions(env)) == 1
    assert str(AVTO_CAPACITY) not in ministry.get("/contributions").text


@pytest.fixture
def capped(tmp_path) -> Iterator[Env]:  # type: ignore[no-untyped-def]
    db = str(tmp_path / "cap.sqlite")
    yield from make_env(db, settings=Settings(db=db, worker=False, max_open_drafts_per_organization=1))


def test_the_draft_cap_on_the_forms(capped: Env) -> None:
    avto = Browser(capped, "avto")
    good = ("inventory.csv", b"site,part,units\nAVTO-TLT,BRK,2500\n", "text/csv")
    _draft_id(avto.post("/contributions/upload?dataset=plant", files={"file": good}))
    r = avto.post("/contributions/upload?dataset=plant", files={"file": good})
    assert r.status_code == 429
    assert "Organisation AVTO already has 1 drafts waiting" in r.text
    fields = form_of(avto.get(LINKS).text, "contribution-form")
    fields.update({"n0.buyer": "AVTO-TLT", "n0.part": "PAD", "n0.supplier": "PAD-CN", "n0.share": "1"})
    r = avto.post(LINKS, fields)
    assert r.status_code == 429
    assert "already has 1 drafts waiting" in r.text
    assert len(_contributions(capped)) == 1


def test_the_contribution_pages_in_russian(env: Env, avto: Browser) -> None:
    avto.post("/language", {"lang": "ru", "next": "/"})
    page = avto.get(LINKS)
    assert 'lang="ru"' in page.text
    assert "Подать как вклад" in page.text
    listing = avto.get("/contributions")
    assert "Вклады" in listing.text
    assert "Подать файл как вклад" in listing.text
