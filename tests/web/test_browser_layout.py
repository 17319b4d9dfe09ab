"""Layout of every page in the navigation, in a real browser, in English and in Russian, at 1366 px and 390 px.

A page fails when:

- a KPI figure or a numeric table cell wraps inside its number;
- anything overflows sideways at 390 px (the page scrolls horizontally);
- a drawn chart has no unit on its value axis, or a visible chart is neither drawn nor replaced by a sentence;
- the page logs an error (ECharts' "Cannot read properties of null (reading '0')" of charts resized while
  they had no size was one).

The pages are the navigation's own links (read from the page, so a new one is checked too) on the demo, with
its import content and the projects' impact computed so the localisation page draws its charts.  Screenshots go
to ``artifacts/screenshots/layout-*.png`` (beside test_browser_readable.py's).  The "English on a Russian
page" check is test_browser_readable.py's.  Client-side sorting is checked here too: it reads a cell's raw
figure (``data-v``), not the text it shows.
"""

from __future__ import annotations

import pytest
from test_browser import DEMO, SHOTS, _computed, _sign_in, page, server  # noqa: F401  (fixtures)
from webenv import CHARTS, WIDE, WRAPPED_NUMBERS

pytestmark = pytest.mark.slow

WIDTHS = (1366, 390)

UNDRAWN = """() => Array.from(document.querySelectorAll("[data-chart]"))
  .filter((el) => el.offsetParent && el.getAttribute("data-ready") !== "1" && el.getAttribute("data-empty") !== "1")
  .map((el) => el.getAttribute("data-chart"))"""

NAV = """() => Array.from(document.querySelectorAll("nav.nav a")).map((a) => a.getAttribute("href"))"""


def layout_problems(pg, name: str) -> list[str]:  # type: ignore[no-untyped-def]
    """The layout problems of the page open in ``pg`` (empty when none); a screenshot at each width."""
    problems = []
    pg.wait_for_load_state("networkidle")
    for width in WIDTHS:
        pg.set_viewport_size({"width": width, "height": 900})
        pg.wait_for_timeout(200)  # charts resize (in the next frame)
        for chart, unit in pg.evaluate(CHARTS):
            if not unit.strip():
                problems.append(f"{name}: chart {chart} has no unit")
        undrawn = pg.evaluate(UNDRAWN)
        if undrawn:
            problems.append(f"{name} at {width} px: charts neither drawn nor explained: {undrawn}")
        wrapped = pg.evaluate(WRAPPED_NUMBERS)
        if wrapped:
            problems.append(f"{name} at {width} px: numbers wrapped: {wrapped[:5]}")
        if width == 390:
            scroll = pg.evaluate("document.documentElement.scrollWidth")
            if scroll > 391:
                problems.append(f"{name} at 390 px: the page is {scroll} px wide: {pg.evaluate(WIDE)}")
        pg.screenshot(path=str(SHOTS / f"layout-{name}-{width}.png"), full_page=True)
    pg.set_viewport_size({"width": 1366, "height": 900})
    return problems


def _switch(pg, base: str, lang: str) -> None:  # type: ignore[no-untyped-def]
    pg.goto(base + "/settings")
    if pg.locator("html").get_attribute("lang") != lang:
        pg.click(f"button[name=lang][value={lang}]")
        pg.wait_for_selector(f"html[lang={lang}]")


def test_every_page_of_the_navigation_lays_out_in_both_languages(server: str, page) -> None:  # type: ignore[no-untyped-def]  # noqa: F811
    pg, outside, errors = page
    SHOTS.mkdir(parents=True, exist_ok=True)
    _sign_in(pg, server)
    pg.goto(f"{server}/localisation?dataset={DEMO}")
    if pg.locator("button:has-text('Compute import content')").count():
        _computed(pg, server, "Compute import content")
        pg.goto(f"{server}/localisation?dataset={DEMO}")
    if pg.locator("button:has-text('Compute the impact of the projects')").count():
        _computed(pg, server, "Compute the impact of the projects")
    pg.goto(server + "/")
    links = pg.evaluate(NAV)
    assert len(links) >= 14, links  # the admin sees every page, Users and Upload included
    problems: list[str] = []
    for lang in ("en", "ru"):
        _switch(pg, server, lang)
        for link in links:
            pg.goto(f"{server}{link}{'&' if '?' in link else '?'}dataset={DEMO}")
            name = (link.strip("/").replace("/", "-") or "overview") + f"-{lang}"
            problems += layout_problems(pg, name)
    _switch(pg, server, "en")  # leave the account as the other tests expect it
    assert problems == [], "\n".join(problems)
    assert outside == [], f"requests left this machine: {outside}"
    assert errors == [], errors


SORTABLE = """(rows) => {
  const table = document.createElement("table");
  table.id = "sort-probe";
  table.innerHTML = "<thead><tr><th>name</th><th>figure</th></tr></thead><tbody>" +
    rows.map((r) => `<tr><td>${r[0]}</td><td class="n"><span class="num" data-v="${r[1]}">${r[2]}</span></td></tr>`).join("") +
    "</tbody>";
  document.querySelector("main").appendChild(table);
  document.dispatchEvent(new Event("htmx:afterSettle"));
}"""


def test_tables_sort_by_the_raw_figure_not_its_text(server: str, page) -> None:  # type: ignore[no-untyped-def]  # noqa: F811
    """Humanised figures on a Russian page ("1,2 млрд" above "900 млн"; "∞" above every figure; figures
    whose text rounds to the same "< 1 %") sort by their raw value, both ways."""
    pg, outside, errors = page
    _sign_in(pg, server)
    _switch(pg, server, "ru")
    pg.goto(server + "/")
    rows = [
        ("a", "1.2e9", "1,2\u00a0млрд\u00a0руб."),
        ("b", "900000000.0", "900\u00a0млн\u00a0руб."),
        ("c", "inf", "∞"),
        ("d", "0.004", "&lt;\u00a01\u00a0%"),
        ("e", "0.001", "&lt;\u00a01\u00a0%"),
        ("f", "0.003", "&lt;\u00a01\u00a0%"),
        ("g", "-2500000.0", "−2,50\u00a0млн\u00a0руб."),
        ("h", "12.5", "12,5"),
        ("i", "7", "7"),
        ("j", "1e-05", "0,00001"),
        ("k", "310.0", "310"),
    ]
    pg.evaluate(SORTABLE, [list(r) for r in rows])
    pg.wait_for_selector("#sort-probe[data-tables='done']")
    button = pg.locator("#sort-probe thead th").nth(1).locator("button.sort-button")
    button.click()
    names = [t.strip() for t in pg.locator("#sort-probe tbody tr:visible td:first-child").all_inner_texts()]
    expected = [r[0] for r in sorted(rows, key=lambda r: float(r[1]))]
    assert names == expected[: len(names)], names
    button.click()
    names = [t.strip() for t in pg.locator("#sort-probe tbody tr:visible td:first-child").all_inner_texts()]
    assert names == list(reversed(expected))[: len(names)], names
    _switch(pg, server, "en")
    assert outside == [], f"requests left this machine: {outside}"
    assert errors == [], errors
