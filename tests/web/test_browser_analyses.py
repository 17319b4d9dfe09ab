"""The analyses form in a real browser (Debian chromium, network cut off), in Russian: translated selects,
the browser's own checks of a number's bounds, and a refused value named by the server.

Uses the server and page fixtures of ``test_browser.py``; screenshots go to ``artifacts/screenshots/``.
"""

from __future__ import annotations

from test_browser import SHOTS, _sign_in, page, server  # noqa: F401  (pytest fixtures)


def test_analyses_form_in_russian(server: str, page) -> None:  # type: ignore[no-untyped-def]  # noqa: F811
    pg, outside, errors = page
    SHOTS.mkdir(parents=True, exist_ok=True)
    _sign_in(pg, server)
    pg.click("button[name=lang][value=ru]")
    pg.wait_for_selector("html[lang=ru]")
    try:
        pg.goto(f"{server}/analyses")
        kinds = pg.locator("#shock-target_kind option").all_inner_texts()
        assert kinds[:3] == ["по умолчанию", "Группа стран", "Страна"], kinds
        pg.select_option("#shock-target_kind", "site")  # the code is submitted, the label shown
        assert pg.locator("#shock-target_kind").input_value() == "site"
        runs = pg.locator("#montecarlo-runs")
        runs.fill("0")
        assert runs.evaluate("e => e.checkValidity()") is False  # min="1": the browser refuses it
        runs.fill("500")
        assert runs.evaluate("e => e.checkValidity()") is True
        # a value the browser lets through but the server refuses: a scenario named nowhere
        form = pg.locator("form:has(input[name=kind][value=simulate])")
        form.locator("select[name=scenario]").evaluate(
            "s => { const o = document.createElement('option'); o.value = 'nowhere'; o.text = 'nowhere';"
            " s.add(o); s.value = 'nowhere'; }"
        )
        form.locator("button[type=submit]").click()
        pg.wait_for_selector("#errors-simulate")
        message = pg.locator("#errors-simulate").inner_text()
        assert "«Сценарий»: в наборе данных plant нет сценария nowhere" in message, message
        pg.screenshot(path=str(SHOTS / "analyses-ru.png"), full_page=True)
    finally:
        pg.goto(f"{server}/analyses")  # the switch returns to the page's path: not the form's POST
        pg.click("button[name=lang][value=en]")
        pg.wait_for_selector("html[lang=en]")
    refused = "the server responded with a status of 422"  # the form sent back with the problem: on purpose
    assert not [e for e in errors if refused not in e], errors
    assert not outside, outside
