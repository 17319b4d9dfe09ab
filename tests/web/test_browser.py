"""End to end in a real browser, with the network cut off.

Playwright drives Debian's chromium (``/usr/bin/chromium``, headless) against
a uvicorn server on a free loopback port.  Every request to anything but that
server is aborted and recorded; the test fails if any was attempted, if the
page logs an error (a CSP violation would), or if the charts and the map do
not draw.  Screenshots go to ``artifacts/screenshots/``.
"""

from __future__ import annotations

import io
import os
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlparse

import openpyxl
import pytest
from webenv import PASSWORD, web_dataset

from importsub.io import write_path
from importsub.store import Store, accounts
from importsub.web import Settings, create_app

CHROMIUM = "/usr/bin/chromium"
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
SHOTS = Path(__file__).resolve().parents[2] / "artifacts" / "screenshots"

playwright_sync = pytest.importorskip("playwright.sync_api")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    import uvicorn

    db = str(tmp_path_factory.mktemp("browser") / "web.sqlite")
    store = Store(db)
    store.write_dataset(web_dataset(), created_by="test")
    with store.engine.begin() as conn:
        accounts.create_user(conn, username="admin", password=PASSWORD, role="admin")
    port = _free_port()
    app = create_app(Settings(db=db, worker=True, worker_poll_seconds=0.1), store=store)
    srv = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", lifespan="on"))
    thread = threading.Thread(target=srv.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not srv.started:
        assert time.monotonic() < deadline, "server did not start"
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}"
    srv.should_exit = True
    thread.join(10)


@pytest.fixture
def page(server: str) -> Iterator[tuple[object, list[str], list[str]]]:
    if not os.path.exists(CHROMIUM):
        if os.environ.get("CI"):
            pytest.fail(f"{CHROMIUM} is required under CI")
        pytest.skip(f"{CHROMIUM} not installed")
    host = urlparse(server).netloc
    outside: list[str] = []
    errors: list[str] = []
    with playwright_sync.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS, headless=True)
        context = browser.new_context(viewport={"width": 1366, "height": 900}, locale="en-US")

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
        pg.on("pageerror", lambda e: errors.append(str(e)))
        yield pg, outside, errors
        context.close()
        browser.close()


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
