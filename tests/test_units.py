"""The one humaniser (importsub.units): hand-worked figures in both languages, the same text as the web's
``human`` and the same scale as the terminal's money columns, and a figure read back within its rounding."""

from __future__ import annotations

import math

import polars as pl
import pytest
from hypothesis import given
from hypothesis import strategies as st

from importsub import units
from importsub.reports.terminal import column_view
from importsub.web import i18n
from importsub.web.templating import human


def _plain(s: str) -> str:
    return s.replace(units.NBSP, " ").replace(units.THIN, " ")


@pytest.mark.parametrize(
    ("value", "en", "ru"),
    [
        (43.8e9, "43.8 bn RUB", "43,8 млрд руб."),
        (5_480_000_000.0, "5.48 bn RUB", "5,48 млрд руб."),
        (221_883_692.0, "222 mn RUB", "222 млн руб."),
        (2.5e12, "2.50 trn RUB", "2,50 трлн руб."),
        (12_500.0, "12,500 RUB", "12 500 руб."),
        (-7.25e6, "−7.25 mn RUB", "−7,25 млн руб."),
        (0.0, "0 RUB", "0 руб."),
    ],
)
def test_money_hand_worked(value: float, en: str, ru: str) -> None:
    assert _plain(units.money(value)) == en
    assert _plain(units.money(value, lang="ru")) == ru


def test_russian_groups_with_narrow_no_break_spaces() -> None:
    text = units.money(12_500.0, lang="ru")
    assert text == f"12{units.THIN}500{units.NBSP}руб."


def test_unknown_language_is_named() -> None:
    with pytest.raises(ValueError, match="unknown language 'de'"):
        units.money(1.0, lang="de")


@given(
    st.floats(-1e15, 1e15, allow_nan=False),
    st.sampled_from(["", "%", *units.WORDS["ru"]]),
    st.sampled_from(["en", "ru"]),
)
def test_web_human_is_the_one_humaniser(value: float, unit: str, lang: str) -> None:
    token = i18n.set_language(lang)
    try:
        shown = human(value, unit)
    finally:
        i18n.reset_language(token)
    assert shown == units.human(value, unit, lang=lang)  # the catalogue and the built-in words agree


@given(st.lists(st.floats(1.0, 9.9e11, allow_nan=False), min_size=1, max_size=8))
def test_terminal_money_scale_is_the_humanisers(values: list[float]) -> None:
    view = column_view("lost margin [RUB]", pl.Series(values))
    top = max(values)
    divisor, word = units.scale_of(top)
    if divisor > 1:
        assert view.header == f"lost margin [{word} RUB]"
        cell = view.fmt(top)
        # the largest value: three significant figures of the scaled figure, as KPI cards show it
        assert cell.replace(",", "") == f"{top / divisor:.{units.significant_decimals(top / divisor)}f}"
        assert units.human(top, "RUB").split(units.NBSP)[0].replace(",", "") == cell.replace(",", "")
    else:
        assert view.header == "lost margin [RUB]"


@given(st.floats(1e6, 1e15, allow_nan=False), st.sampled_from(["en", "ru"]))
def test_scaled_figure_reads_back_within_three_significant_figures(value: float, lang: str) -> None:
    number, word, _unit = units.money(value, lang=lang).split(units.NBSP)
    factor = {"trn": 1e12, "bn": 1e9, "mn": 1e6, "трлн": 1e12, "млрд": 1e9, "млн": 1e6}[word]
    back = float(number.replace(",", "" if lang == "en" else ".").replace(units.THIN, "")) * factor
    assert math.isclose(back, value, rel_tol=0.005 + 1e-9)
