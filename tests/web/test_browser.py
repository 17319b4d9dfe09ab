"""End to end in a real browser, with the network cut off.

Playwright drives Debian's chromium (``/usr/bin/chromium``, headless) against
a uvicorn server on a free loopback port (the ``live_server`` fixture of conftest.py).  Every request to anything but that
server is aborted and recorded; the test fails if any was attempted, if the
page logs an error (a CSP violation would), or if the charts and the map do
not draw.  Screenshots go to ``artifacts/screenshots/``.
"""

from __future__ import annotations

import io
import re
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlparse

import openpyxl
import pytest
from webenv import PASSWORD, SHOTS, web_dataset

from importsub.io import write_path
from importsub.store import Store, accounts
from importsub.web import Settings, create_app

DEMO = "by-ru-auto"

pytest.importorskip("playwright.sync_api")


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory, live_server) -> str:  # type: ignore[no-untyped-def]
    from importsub.demo import load as load_demo

    db = str(tmp_path_factory.mktemp("browser") / "web.sqlite")
    store = Store(db)
    store.write_dataset(web_dataset(), created_by="test")
    store.write_dataset(load_demo(), name=DEMO, created_by="test")  # the embedded demo, for the shock
    with store.engine.begin() as conn:
        accounts.create_user(conn, username="admin", password=PASSWORD, role="admin")
        accounts.create_user(conn, username="avto", password=PASSWORD, role="analyst", organization="AVTO")
        accounts.create_user(conn, username="ministry", password=PASSWORD, role="programme")
    settings = Settings(db=db, worker=True, worker_poll_seconds=0.1, default_dataset="plant")
    return live_server(create_app(settings, store=store))  # type: ignore[no-any-return]


@pytest.fixture
def page(server: str, chromium) -> Iterator[tuple[object, list[str], list[str]]]:  # type: ignore[no-untyped-def]
    """A page of a fresh context of the module's chromium (conftest's ``chromium``) at 1366 px, every request
    but to ``server`` aborted: ``(page, requests that left, console and page errors)``."""
    host = urlparse(server).netloc
    outside: list[str] = []
    errors: list[str] = []
    context = chromium.new_context(viewport={"width": 1366, "height": 900}, locale="en-US")

    def gate(route):  # type: ignore[no-untyped-def]
        url = route.request.url
        if urlparse(url).netloc == host or url.startswith(("data:", "blob:")):
            route.continue_()
        else:
            outside.append(url)
            route.abort()

    context.route("**/*", gate)
    pg = context.new_page()
    pg.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    pg.on("pageerror", lambda e: errors.append(f"{e} at {e.stack}"))
    yield pg, outside, errors
    context.close()


def _bad_workbook(tmp: Path) -> tuple[bytes, int]:
    path = tmp / "plant.xlsx"
    write_path(web_dataset(), path)
    wb = openpyxl.load_workbook(path)
    ws = wb["supply_links"]
    share = [c.value for c in ws[1]].index("share") + 1
    row = ws.max_row
    ws.cell(row=row, column=share, value="a lot")
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue(), row


def test_sign_in_overview_upload_and_russian_offline(server: str, page, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    pg, outside, errors = page
    SHOTS.mkdir(parents=True, exist_ok=True)

    pg.goto(server + "/")
    assert "/login" in pg.url
    pg.fill("input[name=username]", "admin")
    pg.fill("input[name=password]", PASSWORD)
    pg.click("button[type=submit]:has-text('Sign in')")
    pg.wait_for_url(server + "/")

    # overview: charts and the map draw from the vendored libraries
    assert pg.locator("h1").first.inner_text() == "Programme overview"
    pg.wait_for_selector("[data-chart='chart-vehicles'][data-ready='1'] canvas", timeout=15000)
    pg.wait_for_selector("[data-map='map-data'][data-ready='1'] canvas", timeout=15000)
    pg.screenshot(path=str(SHOTS / "overview.png"), full_page=True)

    # upload a workbook with a bad cell: the problem names its row and column
    content, row = _bad_workbook(tmp_path)
    pg.goto(server + "/upload")
    pg.fill("input[name=dataset]", "plant")
    pg.set_input_files(
        "input[name=file]", files=[{"name": "plant.xlsx", "mimeType": "application/octet-stream", "buffer": content}]
    )
    pg.click("form[action='/upload'] button[type=submit]")
    pg.wait_for_selector("#problems")
    rows = [r.locator("td").all_inner_texts() for r in pg.locator("#problems tbody tr").all()]
    assert ["plant.xlsx", "supply_links", str(row), "share"] in [r[:4] for r in rows], rows
    pg.screenshot(path=str(SHOTS / "upload-problems.png"), full_page=True)

    # the network explorer
    pg.goto(server + "/explorer")
    assert pg.locator(".tree .node-part").first.inner_text() == "Passenger car"

    # switch to Russian: Cyrillic on the page
    pg.goto(server + "/")
    pg.click("button[name=lang][value=ru]")
    pg.wait_for_selector("h1:has-text('Обзор программы')")
    assert pg.locator("html").get_attribute("lang") == "ru"
    assert "Площадки и поставки" in pg.content()
    pg.wait_for_selector("[data-chart='chart-vehicles'][data-ready='1'] canvas", timeout=15000)
    pg.screenshot(path=str(SHOTS / "overview-ru.png"), full_page=True)

    # phone width: the menu folds, nothing overflows sideways
    pg.set_viewport_size({"width": 390, "height": 844})
    pg.goto(server + "/")
    assert pg.locator(".nav-button").is_visible()
    scroll = pg.evaluate("document.documentElement.scrollWidth")
    assert scroll <= 390 + 1, scroll
    pg.screenshot(path=str(SHOTS / "overview-phone.png"), full_page=True)

    assert outside == [], f"requests left this machine: {outside}"
    # the upload page answers 422 on purpose (the file has problems); anything else logged is an error
    assert [e for e in errors if "status of 422" not in e] == [], errors


def _sign_in(pg, server: str) -> None:  # type: ignore[no-untyped-def]
    pg.goto(server + "/login")
    pg.fill("input[name=username]", "admin")
    pg.fill("input[name=password]", PASSWORD)
    pg.click("button[type=submit]:has-text('Sign in')")
    pg.wait_for_url(server + "/")
    if pg.locator("html").get_attribute("lang") != "en":  # an earlier test left the account in Russian
        pg.click("button[name=lang][value=en]")
        pg.wait_for_selector("html[lang=en]")


def _drawn(pg, selector: str) -> dict[str, float]:  # type: ignore[no-untyped-def]
    """Wait for a chart's canvas (ECharts) and return its size on the page [px]."""
    pg.wait_for_selector(selector, timeout=30000)
    box = pg.locator(selector).first.bounding_box()
    assert box is not None, selector
    return box  # type: ignore[no-any-return]


def test_shock_on_the_demo_draws_the_loss_chart_offline(server: str, page) -> None:  # type: ignore[no-untyped-def]
    """Build a shock on the demo dataset (all Chinese suppliers cut off for 8 weeks), wait for the background
    job, and see the loss per OEM drawn; then the risk-exposure ranking of every site."""
    pg, outside, errors = page
    SHOTS.mkdir(parents=True, exist_ok=True)
    _sign_in(pg, server)

    pg.goto(f"{server}/shocks?dataset={DEMO}")
    assert pg.locator("h1").first.inner_text() == "Shock builder"
    pg.select_option("#shock-form select[name=scenario]", "cn-8w")
    pg.screenshot(path=str(SHOTS / "shock-builder.png"), full_page=True)
    pg.click("#shock-form button[type=submit]")
    pg.wait_for_url(re.compile(r".*/jobs/\d+$"))
    # the page polls the job and reloads itself with the result
    box = _drawn(pg, "[data-chart='chart-oem-loss'][data-ready='1'] canvas")
    assert box["width"] > 100, box
    assert box["height"] > 100, box
    loss = pg.locator("#loss-figure").inner_text()
    assert float(pg.locator("#loss-figure .num").get_attribute("title").replace(",", "")) > 0, loss
    assert re.fullmatch(r"[\d.]+[\u00a0 ](bn|mn)[\u00a0 ]RUB", loss), loss  # humanised
    assert "Haval" in pg.locator("#chart-oem-loss").text_content()  # the OEM whose bumpers come from China
    assert pg.locator("#why-list li").count() > 0
    assert pg.locator("#vehicle-table tbody tr").count() > 0
    # week by week: the simulated output per week and OEM is drawn as lines
    weekly = _drawn(pg, "[data-chart='chart-weekly-output'][data-ready='1'] canvas")
    assert weekly["width"] > 100, weekly
    assert "Haval" in pg.locator("#chart-weekly-output").text_content()
    pg.screenshot(path=str(SHOTS / "shock-result.png"), full_page=True)

    # the risk-exposure ranking of every site, computed in the background
    pg.goto(f"{server}/risk?dataset={DEMO}&by=site")
    pg.click("button:has-text('Compute the ranking')")
    box = _drawn(pg, "[data-chart='chart-risk'][data-ready='1'] canvas")
    assert box["width"] > 100, box
    assert box["height"] > 100, box
    assert pg.locator("#risk-table tbody tr").count() > 10
    pg.screenshot(path=str(SHOTS / "risk-sites.png"), full_page=True)

    assert outside == [], f"requests left this machine: {outside}"
    assert errors == [], errors


def test_portfolio_frontier_and_project_page_offline(server: str, page) -> None:  # type: ignore[no-untyped-def]
    """The portfolio of the demo's four projects under a budget sweep (localisation objective): the frontier
    is drawn and greedy benefit/cost differs from the MIP somewhere; a project page draws its ramp-up."""
    pg, outside, errors = page
    SHOTS.mkdir(parents=True, exist_ok=True)
    _sign_in(pg, server)

    pg.goto(f"{server}/portfolio?dataset={DEMO}")
    pg.fill("#portfolio-form input[name=budget]", "30000000000")
    pg.select_option("#portfolio-form select[name=objective]", "localisation")
    pg.click("#portfolio-form button[type=submit]")
    pg.wait_for_url(re.compile(r".*/jobs/\d+$"))
    box = _drawn(pg, "[data-chart='chart-frontier'][data-ready='1'] canvas")
    assert box["width"] > 100, box
    assert box["height"] > 100, box
    assert pg.locator("#frontier-table tbody tr").count() == 6
    assert "yes" in pg.locator("#frontier-table").inner_text()  # greedy differs at some budget
    assert pg.locator("#chosen-list li").count() > 0
    pg.screenshot(path=str(SHOTS / "portfolio-frontier.png"), full_page=True)

    pg.goto(f"{server}/projects/P-LED-RUDENSK?dataset={DEMO}")
    box = _drawn(pg, "[data-chart='chart-rampup'][data-ready='1'] canvas")
    assert box["height"] > 100, box
    assert pg.locator("#milestone-table tbody tr").count() > 0
    pg.screenshot(path=str(SHOTS / "project.png"), full_page=True)

    assert outside == [], f"requests left this machine: {outside}"
    assert errors == [], errors


def _sign_in_as(pg, server: str, username: str) -> None:  # type: ignore[no-untyped-def]
    pg.goto(server + "/login")
    pg.fill("input[name=username]", username)
    pg.fill("input[name=password]", PASSWORD)
    pg.click("button[type=submit]:has-text('Sign in')")
    pg.wait_for_url(server + "/")


def test_an_analyst_submits_edited_rows_and_the_programme_accepts_them(server: str, page) -> None:  # type: ignore[no-untyped-def]
    """AVTO's analyst changes its two brake shares on the record page and submits them as a contribution; the
    programme opens the draft from the Contributions page (AVTO's figures hidden) and accepts it into a new
    version; the analyst sees the outcome."""
    pg, outside, errors = page
    SHOTS.mkdir(parents=True, exist_ok=True)
    _sign_in_as(pg, server, "avto")
    pg.goto(server + "/datasets/plant/records/supply_links")
    pg.click("#edit-as-contribution button[type=submit]")
    pg.wait_for_url(re.compile(r".*/records/supply_links/edit.*"))
    share = "#contribution-form tr:has(input[name$='.supplier'][value='{}']) input[name$='.share']"
    assert pg.locator("#contribution-form input[name$='.buyer'][value='BRAKE-MSK']").count() == 0  # not AVTO's
    pg.fill(share.format("BRAKE-MSK"), "0.55")
    pg.fill(share.format("FORE-1"), "0.45")
    pg.fill("#contribution-form input[name=note]", "новые доли 2026")
    pg.screenshot(path=str(SHOTS / "contribution-edit.png"), full_page=True)
    pg.click("#contribution-form button[type=submit]")
    pg.wait_for_url(re.compile(r".*/contributions/\d+\?submitted=1$"))
    draft = re.search(r"/contributions/(\d+)", pg.url).group(1)  # type: ignore[union-attr]
    assert pg.locator("#submitted").is_visible()
    assert pg.locator("#contribution-status").inner_text() == "draft"
    assert "0.55" in pg.locator("#draft-diff").inner_text()
    pg.click("button:has-text('Sign out')")
    pg.wait_for_url(re.compile(r".*/login.*"))

    _sign_in_as(pg, server, "ministry")
    pg.click("nav a:has-text('Contributions')")
    pg.wait_for_url(re.compile(r".*/contributions.*"))
    pg.click(f"#contributions-table a[href='/contributions/{draft}']")
    pg.wait_for_selector("#accept-form")
    diff = pg.locator("#draft-diff").inner_text()
    assert "0.55" not in diff  # AVTO's shares are AVTO's
    assert "🔒" in diff
    pg.screenshot(path=str(SHOTS / "contribution-review.png"), full_page=True)
    pg.click("#accept-form button[type=submit]")
    pg.wait_for_selector("#outcome")
    assert pg.locator("#contribution-status").inner_text() == "accepted"
    assert "Accepted by ministry into version 2." in pg.locator("#outcome").inner_text()
    pg.click("button:has-text('Sign out')")
    pg.wait_for_url(re.compile(r".*/login.*"))

    _sign_in_as(pg, server, "avto")
    pg.goto(f"{server}/contributions/{draft}")
    assert "Accepted by ministry into version 2." in pg.locator("#outcome").inner_text()
    pg.goto(server + "/datasets/plant/records/supply_links?q=AVTO-TLT")
    assert "0.55" in pg.locator("#records").inner_text()
    pg.screenshot(path=str(SHOTS / "contribution-accepted.png"), full_page=True)

    assert outside == [], f"requests left this machine: {outside}"
    assert errors == [], errors


def _computed(pg, server: str, button: str) -> None:  # type: ignore[no-untyped-def]
    """Press a page's compute button and wait until the background job is done (its page shows the exports)."""
    pg.click(f"button:has-text('{button}')")
    pg.wait_for_url(re.compile(r".*/jobs/\d+$"))
    pg.wait_for_selector("a.button:has-text('XLSX')", timeout=120000)


def test_record_pages_are_paged_and_tables_remember_their_columns(server: str, page) -> None:  # type: ignore[no-untyped-def]
    """The demo's largest record table is one short page; a hidden column stays hidden after a reload."""
    pg, outside, errors = page
    SHOTS.mkdir(parents=True, exist_ok=True)
    _sign_in(pg, server)
    pg.goto(f"{server}/datasets/{DEMO}/records/bom")
    height = pg.evaluate("document.documentElement.scrollHeight")
    assert height < 3000, height
    assert pg.locator("table.records tbody tr").count() == 50
    pg.screenshot(path=str(SHOTS / "records-bom.png"), full_page=True)
    # sort by a column header (server side), then hide a column and reload
    pg.click("table.records th[data-col=quantity] a.sort")
    pg.wait_for_url(re.compile(r".*sort=quantity.*"))
    pg.click(".columns-choice summary")
    pg.locator(".columns-choice input[type=checkbox]").nth(3).uncheck()
    assert pg.locator("table.records th[data-col=source]").is_hidden()
    pg.reload()
    assert pg.locator("table.records th[data-col=source]").is_hidden()
    assert pg.locator("table.records th[data-col=parent]").is_visible()
    assert outside == [], f"requests left this machine: {outside}"
    assert errors == [], errors
