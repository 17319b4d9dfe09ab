"""The flow map in a real browser (Debian chromium, network cut off) on a synthetic network of 3,000 sites.

Uses the page fixture of ``test_browser.py`` and a server of its own holding ``synth(3000)`` (conftest's ``live_server``); screenshots go
to ``artifacts/screenshots/``.
"""

from __future__ import annotations

import re

import pytest
from test_browser import SHOTS, _sign_in, page  # noqa: F401  (pytest fixtures)
from webenv import PASSWORD, web_dataset

from importsub.demo.synth import synth
from importsub.store import Store, accounts
from importsub.web import Settings, create_app

SYNTH = "synth-3000"


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory, live_server) -> str:  # type: ignore[no-untyped-def]
    db = str(tmp_path_factory.mktemp("browser-map") / "web.sqlite")
    store = Store(db)
    store.write_dataset(web_dataset(), created_by="test")
    store.write_dataset(synth(3000, seed=1, name=SYNTH), name=SYNTH, created_by="test")
    with store.engine.begin() as conn:
        accounts.create_user(conn, username="admin", password=PASSWORD, role="admin")
    return live_server(create_app(Settings(db=db, worker=False, default_dataset="plant"), store=store))  # type: ignore[no-any-return]


def test_flow_map_of_3000_sites_draws_country_flows_and_drills_down_offline(server: str, page) -> None:  # type: ignore[no-untyped-def]  # noqa: F811
    pg, outside, errors = page
    SHOTS.mkdir(parents=True, exist_ok=True)
    _sign_in(pg, server)
    pg.goto(f"{server}/map?dataset={SYNTH}")
    pg.wait_for_selector("#flow-map[data-ready='1'] canvas", timeout=60000)
    flows = int(pg.locator("#flow-map").get_attribute("data-flows") or 0)
    assert flows > 10, flows  # country pairs, not one line per link
    assert pg.locator("#country-flows tbody tr").count() > 0
    pg.screenshot(path=str(SHOTS / "flow-map-3000.png"), full_page=True)
    # a click on a vehicle plant opens it in the explorer
    pg.evaluate(
        "(() => { const c = window.importsubFlowMap; const s = c.getOption().series.find(x => x.id === 'sites');"
        " const i = s.data.findIndex(d => d.vehicle); c.trigger('click', {seriesId: 'sites', data: s.data[i]}); })()"
    )
    pg.wait_for_url(re.compile(r".*/explorer\?dataset=synth-3000&vehicle=.*"), timeout=30000)
    assert pg.locator("ul.tree").count() == 1
    # filtered by category, on a phone: no sideways scroll
    pg.set_viewport_size({"width": 390, "height": 844})
    pg.goto(f"{server}/map?dataset={SYNTH}&category=" + pg.evaluate("''"))
    pg.wait_for_selector("#flow-map[data-ready='1'] canvas", timeout=60000)
    overflow = pg.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
    assert overflow <= 0, overflow
    assert outside == [], f"requests left this machine: {outside}"
    assert errors == [], errors
