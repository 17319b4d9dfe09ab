"""Scenarios end to end in a real browser (Debian chromium, network cut off): copy, edit, run, compare.

Uses the server and page fixtures of ``test_browser.py``; screenshots go to ``artifacts/screenshots/``.
"""

from __future__ import annotations

import re

from test_browser import SHOTS, _sign_in, page, server  # noqa: F401  (pytest fixtures)


def _run(pg, base: str, scenario: str) -> int:  # type: ignore[no-untyped-def]
    pg.goto(f"{base}/scenarios/edit?dataset=plant&name={scenario}")
    pg.click("#run-scenario button[type=submit]")
    pg.wait_for_url(re.compile(r".*/jobs/\d+$"))
    pg.wait_for_selector("#loss-figure", timeout=60000)  # the job page reloads itself with the result
    return int(pg.url.rsplit("/", 1)[1])


def test_copy_edit_run_and_compare_scenarios_offline(server: str, page) -> None:  # type: ignore[no-untyped-def]  # noqa: F811
    pg, outside, errors = page
    SHOTS.mkdir(parents=True, exist_ok=True)
    _sign_in(pg, server)
    pg.goto(f"{server}/scenarios?dataset=plant")
    row = pg.locator("#scenario-list tbody tr", has_text="de-8w").first
    row.locator("input[name=to]").fill("de-4w")
    row.locator("button[type=submit]").click()
    pg.wait_for_url(re.compile(r".*/scenarios/edit\?dataset=plant&name=de-4w.*"))
    pg.fill("input[name='d-0-duration']", "4")
    pg.fill("input[name=description]", "Germany stops for 4 weeks")
    pg.click("#scenario-form button[type=submit]")
    pg.wait_for_url(re.compile(r".*/scenarios\?dataset=plant.*"))
    assert pg.locator("#scenario-list tbody tr", has_text="de-4w").count() == 1

    pg.select_option("#compare-scenarios select[name=a]", "de-8w")
    pg.select_option("#compare-scenarios select[name=b]", "de-4w")
    pg.click("#compare-scenarios button[type=submit]")
    pg.wait_for_selector("#scenario-compare")
    differing = pg.locator("#scenario-compare tr.differs")
    assert differing.count() == 2, differing.all_inner_texts()  # the description and Germany's disruption
    assert "country · DE" in " ".join(differing.all_inner_texts())
    pg.screenshot(path=str(SHOTS / "scenario-compare.png"), full_page=True)

    first, second = _run(pg, server, "de-8w"), _run(pg, server, "de-4w")
    pg.goto(f"{server}/scenarios?dataset=plant")
    pg.select_option("#compare-runs select[name=a]", str(first))
    pg.select_option("#compare-runs select[name=b]", str(second))
    pg.click("#compare-runs button[type=submit]")
    pg.wait_for_selector("#run-compare-summary")
    window = pg.locator("#run-compare-summary tr", has_text="window [weeks]").locator("td").all_inner_texts()
    assert window == ["8", "4", "−4"] or window == ["8", "4", "-4"], window
    pg.screenshot(path=str(SHOTS / "run-compare.png"), full_page=True)
    # on a phone the page scrolls inside its tables, not sideways
    pg.set_viewport_size({"width": 390, "height": 844})
    overflow = pg.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
    assert overflow <= 0, overflow
    pg.screenshot(path=str(SHOTS / "run-compare-390.png"), full_page=True)
    assert outside == [], f"requests left this machine: {outside}"
    assert errors == [], errors
