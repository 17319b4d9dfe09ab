"""Layout of every page in the navigation, in a real browser, in English and in Russian, at 1366 px and 390 px.

A page fails when:

- a KPI figure or a numeric table cell wraps inside its number;
- anything overflows sideways at 390 px (the page scrolls horizontally);
- a drawn chart has no unit on its value axis, or a visible chart is neither drawn nor replaced by a sentence;
- the page logs an error (ECharts' "Cannot read properties of null (reading '0')" of charts resized while
  they had no size was one);
- in Russian, it shows an English word outside names and codes (test_browser_readable.py's check, run here on
  the navigation's pages from the same load; that module checks the pages outside the navigation).

The pages are the navigation's own links (read from the page, so a new one is checked too) on the demo, with
its import content and the projects' impact computed so the localisation page draws its charts (by the
localisation page's own test, first here, or by the layout test when run alone).  Each page is
loaded once per language and checked at both widths (``webenv.page_problems``).  Screenshots go to
``artifacts/screenshots/layout-*.png`` (beside test_browser_readable.py's).  Client-side sorting is checked here
too: it reads a cell's raw figure (``data-v``), not the text it shows.  ``test_the_page_checks_catch_what_they_look_for``
shows each check failing on a page made to fail it.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from test_browser import DEMO, _computed, _drawn, _sign_in, page, server  # noqa: F401  (fixtures)
from webenv import NAV, SHOTS, USERNAMES, names_and_codes, page_problems, russian_problems

pytestmark = pytest.mark.slow


#: English words a Russian page of the navigation is known to show, by page (reported; each must still be shown,
#: so that its entry goes with the fix)
KNOWN_ENGLISH: dict[str, set[str]] = {}


def _switch(pg, base: str, lang: str) -> None:  # type: ignore[no-untyped-def]
    pg.goto(base + "/settings")
    if pg.locator("html").get_attribute("lang") != lang:
        pg.click(f"button[name=lang][value={lang}]")
        pg.wait_for_selector(f"html[lang={lang}]")


def test_localisation_page_draws_every_chart_in_both_languages(server: str, page) -> None:  # type: ignore[no-untyped-def]  # noqa: F811
    """The localisation page computes the demo's import content and the projects' impact and draws every chart.
    First in this module: the navigation's pages below are laid out with what it computed (the projects'
    impact takes half a minute; computed once for both tests, by either one run alone)."""
    pg, outside, errors = page
    SHOTS.mkdir(parents=True, exist_ok=True)
    _sign_in(pg, server)
    pg.goto(f"{server}/localisation?dataset={DEMO}")
    _computed(pg, server, "Compute import content")
    # the job's page: eleven result tables, each paged in the browser (was one long page of every row)
    pg.wait_for_selector("nav.pager")
    height = pg.evaluate("document.documentElement.scrollHeight")
    print("localisation job page height [px]:", height)
    assert height < 16000, height
    pg.goto(f"{server}/localisation?dataset={DEMO}")
    _computed(pg, server, "Compute the impact of the projects")
    pg.goto(f"{server}/localisation?dataset={DEMO}")
    for chart in ("oems", "vehicles", "tiers", "origins", "trend", "oem-trend", "projects", "targets"):
        box = _drawn(pg, f"[data-chart='chart-{chart}'][data-ready='1'] canvas")
        assert box["width"] > 100, (chart, box)
    # a long result table is paged in the browser (10 rows, or the size chosen) and filtered as one types
    table = pg.locator("table[data-table='localisation-impact-capacity']")
    assert table.locator("tbody tr:visible").count() == 10
    pg.locator("#loc-targets .table-tools select").select_option("25")
    assert table.locator("tbody tr:visible").count() == 25
    search = pg.locator("#loc-targets .table-tools input[type=search]")
    search.fill("P-LED-RUDENSK")
    shown = table.locator("tbody tr:visible")
    assert 0 < shown.count() <= 25
    assert all("P-LED-RUDENSK" in shown.nth(i).inner_text() for i in range(shown.count()))
    pg.screenshot(path=str(SHOTS / "localisation.png"), full_page=True)
    pg.click("button[name=lang][value=ru]")
    pg.wait_for_selector("html[lang=ru]")
    pg.goto(f"{server}/localisation?dataset={DEMO}")  # the switch returns to the path, without the query
    assert pg.locator("h1").first.inner_text() == "Локализация"
    _drawn(pg, "[data-chart='chart-trend'][data-ready='1'] canvas")
    pg.screenshot(path=str(SHOTS / "localisation-ru.png"), full_page=True)
    pg.click("button[name=lang][value=en]")
    pg.wait_for_selector("html[lang=en]")
    assert outside == [], f"requests left this machine: {outside}"
    assert errors == [], errors


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
    allowed = names_and_codes() | USERNAMES
    problems: list[str] = []
    for lang in ("en", "ru"):
        _switch(pg, server, lang)
        for link in links:
            pg.goto(f"{server}{link}{'&' if '?' in link else '?'}dataset={DEMO}")
            name = (link.strip("/").replace("/", "-") or "overview") + f"-{lang}"
            problems += page_problems(pg, name)
            if lang == "ru":
                problems += russian_problems(pg, name, allowed, known=KNOWN_ENGLISH.get(name, set()), prefix="layout")
    _switch(pg, server, "en")  # leave the account as the other tests expect it
    assert problems == [], "\n".join(problems)
    assert outside == [], f"requests left this machine: {outside}"
    assert errors == [], errors


#: a page that passes every check of ``page_problems``: a drawn chart with a unit, one explained by a sentence,
#: a number in a cell wide enough, nothing wider than a phone
CLEAN = """<!doctype html><html lang="ru"><body style="margin:0">
<div data-chart="chart-ok" data-ready="1" data-unit="млрд руб." style="height:40px"></div>
<div data-chart="chart-none" data-empty="1">Нечего показать</div>
<table><tr><td class="n">43,8 млрд руб.</td></tr></table>
</body></html>"""

#: ``CLEAN`` with one fault of each kind; the wide block only at 390 px (a 1000 px box fits at 1366 px)
FAULTY = """<!doctype html><html lang="ru"><body style="margin:0">
<div data-chart="chart-nounit" data-ready="1" style="height:40px"></div>
<div data-chart="chart-stuck" style="height:40px"></div>
<table><tr><td class="n" style="width:3em; max-width:3em">1 234 567,89 млрд руб.</td></tr></table>
<div style="width:1000px">Широкий блок</div>
</body></html>"""


#: a Russian page with two English words, and some in places the check skips (code, hidden text)
WORDS = """<!doctype html><html lang="ru"><body>
<p>Потери Haval: lost margin</p><code>import content</code><p style="display:none">hidden words</p>
</body></html>"""


def test_the_page_checks_catch_what_they_look_for(page, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]  # noqa: F811
    """``page_problems`` finds each fault, at each width it shows at, and passes a page without one; it takes a
    viewport screenshot of every page and a full-page one where a check failed.  ``russian_problems`` finds
    English words (test_browser_readable.py's ``test_the_checks_catch_what_they_look_for`` checks the words
    themselves)."""
    pg, _outside, errors = page
    pg.set_content(CLEAN)
    assert page_problems(pg, "clean", shots=tmp_path) == []
    assert sorted(p.name for p in tmp_path.iterdir()) == ["layout-clean-1366.png"]
    assert pg.viewport_size == {"width": 1366, "height": 900}
    pg.set_content(FAULTY)
    problems = page_problems(pg, "faulty", shots=tmp_path, settle_ms=300)  # chart-stuck never draws
    assert problems.count("faulty: chart chart-nounit has no unit") == 2  # at each width
    for width in (1366, 390):
        assert f"faulty at {width} px: charts neither drawn nor explained: ['chart-stuck']" in problems
        assert f"faulty at {width} px: numbers wrapped: ['1 234 567,89 млрд руб.']" in problems
    wide = [p for p in problems if "px wide" in p]
    assert len(wide) == 1, problems
    assert wide[0].startswith("faulty at 390 px: the page is 1000 px wide: ['div.: Широкий блок"), wide
    assert len(problems) == 2 * 3 + 1, problems
    assert {p.name for p in tmp_path.iterdir()} == {
        "layout-clean-1366.png",
        "layout-faulty-1366.png",
        "layout-faulty-390.png",
    }
    assert pg.viewport_size == {"width": 1366, "height": 900}
    # the English-word check on a page: visible text only, outside code; a known word must still be shown
    pg.set_content(WORDS)
    words = tmp_path / "words"
    words.mkdir()
    assert russian_problems(pg, "w", {"Haval"}, shots=words) == ["w: English on a Russian page: ['lost', 'margin']"]
    assert (words / "readable-w.txt").read_text(encoding="utf-8").split() == ["Потери", "Haval:", "lost", "margin"]
    assert russian_problems(pg, "w", {"Haval"}, known={"lost", "margin"}, shots=words) == []
    assert russian_problems(pg, "w", {"Haval", "lost"}, known={"lost"}, shots=words) == [
        "w: English on a Russian page: ['margin']",
        "w: no longer shows ['lost']: remove the known exception",
    ]
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
