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
    _zoom_shows_the_largest_site_lines_in_view(pg)
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


VIEW = """() => {
  const c = window.importsubFlowMap, el = document.getElementById("flow-map");
  const a = c.convertFromPixel({geoIndex: 0}, [0, 0]), b = c.convertFromPixel({geoIndex: 0}, [el.clientWidth, el.clientHeight]);
  const series = (id) => c.getOption().series.find((x) => x.id === id).data;
  return {bounds: [Math.min(a[0], b[0]), Math.max(a[0], b[0]), Math.min(a[1], b[1]), Math.max(a[1], b[1])],
          lines: series("site-lines").map((d) => [d.coords, d.value, d.lineStyle.type]),
          countries: series("country-flows").length,
          spec: JSON.parse(document.getElementById("flow-map-data").textContent)};
}"""


def _zoom_shows_the_largest_site_lines_in_view(pg) -> None:  # type: ignore[no-untyped-def]
    """Wheel in past the threshold: the country pairs give way to site-to-site lines, which are the largest
    flows (by value) with an end in view, checked against the page's data here; wheel out: back again."""
    pg.locator("#flow-map").scroll_into_view_if_needed()
    box = pg.locator("#flow-map").bounding_box()
    x, y = pg.evaluate(  # a vehicle plant: where the flows meet
        "(() => { const c = window.importsubFlowMap; const s = c.getOption().series.find(x => x.id === 'sites');"
        " return c.convertToPixel({geoIndex: 0}, s.data.find(d => d.vehicle).value); })()"
    )
    pg.mouse.move(box["x"] + x, box["y"] + y)
    for _ in range(12):  # each notch zooms by about 1.1
        pg.mouse.wheel(0, -400)
        pg.wait_for_timeout(100)
    zoom = pg.evaluate("window.importsubFlowMap.getOption().geo[0].zoom")
    assert zoom >= 5, zoom
    pg.wait_for_selector("#flow-map[data-layer='sites']", timeout=10000)
    view = pg.evaluate(VIEW)
    west, east, south, north = view["bounds"]
    coords = {s["id"]: s["value"] for s in view["spec"]["sites"]}

    def inside(c: list[float]) -> bool:
        return west <= c[0] <= east and south <= c[1] <= north

    in_view = [
        f
        for f in view["spec"]["site_lines"]
        if f["from"] in coords and f["to"] in coords and (inside(coords[f["from"]]) or inside(coords[f["to"]]))
    ]
    drawn = [v for _, v, _ in view["lines"] if v is not None]
    assert view["countries"] == 0, view["countries"]
    assert 0 < len(drawn) <= 60, len(drawn)
    values = sorted((f["value"] for f in in_view if f["value"] is not None), reverse=True)
    assert sorted(drawn, reverse=True) == values[: len(drawn)]  # the largest in view, none left out
    assert len(drawn) == min(60, len(values))
    assert all(kind == "dashed" for _, v, kind in view["lines"] if v is None)
    pg.screenshot(path=str(SHOTS / "flow-map-3000-zoomed.png"), full_page=True)
    for _ in range(14):
        pg.mouse.wheel(0, 400)
        pg.wait_for_timeout(100)
    pg.wait_for_selector("#flow-map[data-layer='countries']", timeout=10000)
    assert pg.evaluate(VIEW)["countries"] > 10
