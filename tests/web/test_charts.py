"""Chart data that says something: top N and the rest, no chart of nothing, never bars of an ordinal level,
and result cells that carry their raw figure (``data-v``) for the browser's sorting."""

from __future__ import annotations

import math
import re
from html import unescape

import polars as pl
import pytest
from hypothesis import given
from hypothesis import strategies as st
from webenv import Env, login

from importsub.web import i18n
from importsub.web.services.result_views import generic_charts, top_and_rest
from importsub.web.templating import chart_spec

finite = st.floats(min_value=-1e12, max_value=1e12, allow_nan=False)


@given(values=st.lists(finite, max_size=60), top=st.integers(min_value=1, max_value=25))
def test_top_and_rest_keeps_the_total_and_the_largest(values: list[float], top: int) -> None:
    labels = [f"L{i}" for i in range(len(values))]
    chart = top_and_rest(labels, values, top)
    assert math.isclose(sum(chart["values"]), sum(values), rel_tol=1e-9, abs_tol=1e-3)  # nothing dropped
    ordered = sorted(values, reverse=True)
    if len(values) <= top + 1:  # short enough: every bar, largest first, no rest
        assert chart["values"] == ordered
        assert "rest_index" not in chart
    else:
        assert len(chart["labels"]) == top + 1
        assert chart["values"][:top] == ordered[:top]
        assert chart["rest_index"] == top
        assert chart["labels"][top] == f"rest ({len(values) - top})"
        # the head is the top: no bar left in the rest is larger than a bar shown
        assert min(chart["values"][:top]) >= ordered[top]
        assert set(chart["labels"][:top]) <= set(labels)


def test_rest_is_named_in_russian() -> None:
    token = i18n.set_language("ru")
    try:
        chart = top_and_rest([str(i) for i in range(30)], [float(i) for i in range(30)], 15)
    finally:
        i18n.reset_language(token)
    assert chart["labels"][-1] == "прочие (15)"
    assert chart["values"][-1] == sum(range(15))  # 0 … 14, the smallest fifteen


@pytest.mark.parametrize(
    "spec",
    [
        {"labels": [], "values": [], "unit": "RUB"},
        {"labels": ["a", "b"], "values": [None, None], "unit": "RUB"},
        {"labels": ["2026"], "series": [{"name": "x", "values": [None]}], "unit": "%"},
    ],
)
def test_a_chart_with_no_figure_is_a_sentence(spec: dict[str, object]) -> None:
    out = chart_spec(spec)
    assert out["labels"] == []
    assert out["empty"] == "Nothing to draw: no figure you may see."


def test_generic_charts_never_draw_a_level_and_sum_only_additive_units() -> None:
    n = 40
    tables = {
        "readiness": pl.DataFrame({"project": [f"P{i}" for i in range(n)], "MRL": [i % 10 + 1 for i in range(n)]}),
        "losses": pl.DataFrame({"OEM": [f"O{i}" for i in range(n)], "lost margin [RUB]": [float(i) for i in range(n)]}),
        "shares": pl.DataFrame({"OEM": [f"O{i}" for i in range(n)], "import content [%]": [i / 2 for i in range(n)]}),
        "declared away": pl.DataFrame({"OEM": ["a"], "capex [RUB]": [1.0]}),
    }
    charts = generic_charts(tables, {"declared away": None})
    assert [c["title"].split(":")[0] for c in charts] == ["losses", "shares"]  # no MRL bars, no declared-away
    losses, shares = charts
    assert losses["unit"] == "RUB"
    assert len(losses["labels"]) == 16
    assert losses["labels"][-1] == "rest (25)"
    assert sum(losses["values"]) == sum(range(n))
    assert shares["unit"] == "%"
    assert len(shares["labels"]) == 20  # the largest twenty shares; no sum of shares
    assert "rest_index" not in shares
    assert shares["values"] == sorted(shares["values"], reverse=True)
    assert shares["values"][0] == (n - 1) / 2


CELL = re.compile(r'<td class="n" data-v="([^"]*)"[^>]*>(.*?)</td>', re.S)


def test_result_cells_carry_their_raw_figure(env: Env) -> None:
    """The generic result page of a real job: every numeric cell carries its raw value, and that value is the
    figure its text shows (within the text's rounding), in English and in Russian."""
    c = env.client
    csrf = login(c, "ministry")
    r = c.post(
        "/analyses/run",
        data={"kind": "localisation", "dataset": "plant", "group": "union", "csrf_token": csrf},
        follow_redirects=False,
    )
    env.run_jobs()
    url = r.headers["location"]
    for lang in ("en", "ru"):
        c.post("/language", data={"lang": lang, "csrf_token": csrf, "next": "/"}, follow_redirects=False)
        page = c.get(url).text
        assert f'<html lang="{lang}">' in page
        cells = CELL.findall(page)
        numeric = re.findall(r'<td class="n"', page)
        assert cells, page[:500]
        assert len(cells) == len(numeric)  # none without its figure
        for raw, text in cells:
            shown = unescape(re.sub(r"<[^>]+>", "", text)).replace("\u202f", "").replace("\u00a0", "")
            if lang == "ru" or "," not in shown:
                shown = shown.replace(",", ".") if lang == "ru" else shown
            else:
                shown = shown.replace(",", "")
            value = float(raw)
            assert math.isclose(float(shown), value, rel_tol=1e-2, abs_tol=0.006), (raw, text)
