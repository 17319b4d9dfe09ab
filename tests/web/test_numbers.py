"""Humanised figures (web/templating.human): hand-worked examples in both languages, and properties: the
figure read back is within its rounding of the value, and nothing in it lets a line break."""

from __future__ import annotations

import math
import re

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from importsub.web import i18n
from importsub.web.templating import NBSP, THIN, chart_spec, human, unit_of


@pytest.fixture(params=["en", "ru"])
def lang(request: pytest.FixtureRequest):  # type: ignore[no-untyped-def]
    token = i18n.set_language(request.param)
    yield request.param
    i18n.reset_language(token)


def _in(lang: str, fn):  # type: ignore[no-untyped-def]
    token = i18n.set_language(lang)
    try:
        return fn()
    finally:
        i18n.reset_language(token)


@pytest.mark.parametrize(
    ("value", "unit", "en", "ru"),
    [
        (43.8e9, "RUB", "43.8 bn RUB", "43,8 млрд руб."),
        (3.39e9, "RUB", "3.39 bn RUB", "3,39 млрд руб."),
        (57_178_246.15, "RUB", "57.2 mn RUB", "57,2 млн руб."),
        (1.5e12, "RUB", "1.50 trn RUB", "1,50 трлн руб."),
        (876.0, "units", "876 units", "876 шт."),
        (29150.000000000004, "", "29,150", "29 150"),
        (12.345, "%", "12.3 %", "12,3 %"),
        (-2.5e6, "RUB", "−2.50 mn RUB", "−2,50 млн руб."),
        (7, "", "7", "7"),
        (None, "RUB", "", ""),
    ],
)
def test_hand_worked(value: float | None, unit: str, en: str, ru: str) -> None:
    def plain(s: str) -> str:
        return s.replace(NBSP, " ").replace(THIN, " ")

    assert plain(_in("en", lambda: human(value, unit))) == en
    assert plain(_in("ru", lambda: human(value, unit))) == ru


def _read_back(text: str, lang: str) -> float:
    """The number a reader takes from a humanised figure (scale words applied)."""
    words = {"en": {"trn": 1e12, "bn": 1e9, "mn": 1e6}, "ru": {"трлн": 1e12, "млрд": 1e9, "млн": 1e6}}[lang]
    parts = text.split(NBSP)
    number = parts[0].replace("−", "-").replace(THIN, "").replace(",", "" if lang == "en" else ".")
    scale = words.get(parts[1], 1.0) if len(parts) > 1 else 1.0
    return float(number) * scale


@given(value=st.floats(min_value=-1e15, max_value=1e15, allow_nan=False), unit=st.sampled_from(["", "RUB", "%"]))
@example(value=123.7, unit="")
@example(value=999_999.4, unit="RUB")
@example(value=-1_234_567.0, unit="RUB")
@example(value=0.04, unit="%")
def test_read_back_within_rounding_and_unbreakable(value: float, unit: str) -> None:
    for lang in ("en", "ru"):
        text = _in(lang, lambda: human(value, unit))
        assert not re.search(r"\s", text.replace(NBSP, "").replace(THIN, "")), text  # no breakable space
        assert "e" not in text.split(NBSP)[0].lower(), text  # never scientific notation
        back = _read_back(text, lang)
        # three significant figures once scaled; under a million, half of the last decimal shown (none from 100)
        below = (0.5 if abs(value) >= 100 else 0.05) + 1e-9
        tolerance = 0.005 * abs(value) if abs(value) >= 1e6 else below
        assert math.isclose(back, value, abs_tol=tolerance), (value, text, back)
        if lang == "ru":
            assert "." not in text.split(NBSP)[0], text  # decimal comma


def test_chart_spec_names_the_axis_with_scale_and_unit(lang: str) -> None:
    spec = chart_spec({"labels": ["a", "b"], "values": [4.4e10, 1.2e9], "unit": i18n.gettext("RUB")})
    assert spec["divisor"] == 1e9
    assert spec["axis_unit"] == ("bn" + NBSP + "RUB" if lang == "en" else "млрд" + NBSP + "руб.")
    assert spec["value_labels"] == [human(4.4e10, i18n.gettext("RUB")), human(1.2e9, i18n.gettext("RUB"))]
    small = chart_spec({"labels": ["a"], "values": [3.0], "unit": "%"})
    assert small["divisor"] == 1.0
    assert small["axis_unit"] == "%"


def test_chart_of_only_zeros_is_not_drawn(lang: str) -> None:
    spec = chart_spec({"labels": ["MRL"], "values": [0.0], "unit": "RUB"})
    assert spec["labels"] == []
    assert spec["empty"] == i18n.gettext("Nothing to draw: every value is zero.")
    lines = chart_spec({"labels": ["2026", "2027"], "series": [{"name": "x", "values": [0, 0]}], "unit": "%"})
    assert lines["empty"]
    assert chart_spec({"labels": ["a"], "values": [0.0, 1.0], "unit": "RUB"}).get("empty") is None


def test_unit_of() -> None:
    assert unit_of("lost margin [RUB]") == "RUB"
    assert unit_of("capacity added [units/yr]") == "units/yr"
    assert unit_of("OEM") == ""
