"""The analyses' sentences as message ids with parameters: declared, translated, rendered alike in both languages.

Numbers are checked by reading them back from the rendered text with a
parser of each language's notation written here (``12,345.6`` / ``12 345,6``),
not with the formatter under test.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from functools import cache
from pathlib import Path
from typing import Any

import polars as pl
import pytest
from babel.messages.pofile import read_po
from hypothesis import given, settings
from hypothesis import strategies as st

import importsub.model.messages as messages
from importsub.analysis.disruption import run_shock
from importsub.compile import compile
from importsub.compile.shock import compile_shock
from importsub.demo import load as load_demo
from importsub.model.messages import MESSAGES, MessageError, localised, render_why, why

PLACEHOLDER = re.compile(r"%\((\w+)\)s")
CYRILLIC = re.compile(r"[А-Яа-яЁё]")
# numbers as each language writes them: en 12,345.6 — ru 12 345,6 (narrow no-break space)
NUMBER = {
    "en": re.compile(r"(?<![\w.,])(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?(?![\w])"),
    "ru": re.compile(r"(?<![\w,])(?:\d{1,3}(?:\u202f\d{3})+|\d+)(?:,\d+)?(?![\w])"),
}


def numbers_in(text: str, lang: str) -> Counter[float]:
    """Every number written in ``text`` in the notation of ``lang``, as values."""
    found = NUMBER[lang].findall(text)
    if lang == "en":
        values = [float(s.replace(",", "")) for s in found]
    else:
        values = [float(s.replace("\u202f", "").replace(",", ".")) for s in found]
    return Counter(round(v, 3) for v in values)


def _ru_po() -> dict[str, str]:
    path = Path(messages.LOCALE_DIR) / "ru" / "LC_MESSAGES" / "messages.po"
    with path.open("rb") as f:
        return {m.id: m.string for m in read_po(f, locale="ru") if isinstance(m.id, str) and m.id}


# ---------------------------------------------------------------- declarations and catalogue


def test_every_message_declares_exactly_its_placeholders() -> None:
    for m in MESSAGES.values():
        assert set(PLACEHOLDER.findall(m.text)) == set(m.args), m.id
        assert "%" not in PLACEHOLDER.sub("", m.text), m.id  # no stray % that gettext formatting would trip on


def test_every_message_has_a_russian_translation_with_the_same_placeholders() -> None:
    ru = _ru_po()
    for m in MESSAGES.values():
        assert m.text in ru, f"{m.id}: no entry in ru/messages.po (run python src/importsub/web/locale/build.py)"
        text = ru[m.text]
        assert text, m.id
        if re.search("[A-Za-z]", PLACEHOLDER.sub("", m.text)):  # not only parameters: words to translate
            assert text != m.text, m.id
            assert CYRILLIC.search(text), m.id
        assert Counter(PLACEHOLDER.findall(text)) == Counter(PLACEHOLDER.findall(m.text)), m.id
        # the compiled catalogue that rendering reads says the same as the source
        assert messages.translations("ru").gettext(m.text) == text, m.id


# ---------------------------------------------------------------- rendering, generated messages

_NAME = st.text(alphabet=st.sampled_from("abcxyzАБВжюя -/()"), min_size=1, max_size=12)
_VALUE: dict[str, st.SearchStrategy[Any]] = {
    "count": st.integers(0, 10**7),
    "units": st.floats(0, 1e11, allow_nan=False, allow_infinity=False),
    "weeks": st.one_of(st.integers(0, 104).map(float), st.floats(0, 104, allow_nan=False).map(lambda w: round(w, 2))),
    "percent": st.floats(0, 1, allow_nan=False),
    "pp": st.floats(0, 100, allow_nan=False),
    "money": st.floats(0, 1e13, allow_nan=False),
    "share1": st.floats(0, 1, allow_nan=False),
    "share0": st.floats(0, 1, allow_nan=False),
    "gap": st.floats(0, 100, allow_nan=False),
    "amount": st.floats(-1e12, 1e12, allow_nan=False),
    "int": st.integers(0, 10**7),
    "factor": st.one_of(st.integers(0, 10**4).map(float), st.floats(0, 50, allow_nan=False).map(lambda v: round(v, 3))),
}
_LEAVES = [m for m in MESSAGES.values() if not {"message", "list", "clauses"} & set(m.args.values())]


def validation_words() -> dict[str, list[str]]:
    """Every word a validation message can name, by parameter kind: the ``term``s (type words, format hints,
    check names, why a reference must hold, kinds of disruption target, JSON kinds), the ``field``s and the
    ``unit``s."""
    from importsub.model.casting import TYPE_WORDS
    from importsub.model.identifiers import HINTS
    from importsub.model.schema import TABLES, all_refs

    fields = [(rt, f) for rt in TABLES for f in rt.fields]
    terms = [*TYPE_WORDS.values(), *HINTS.values(), *(f.pattern_hint for _, f in fields if f.pattern_hint)]
    terms += [r.why for rt in TABLES for r in all_refs(rt) if r.why]
    terms += ["country group", "country", "organization", "site", "part"]  # validate._check_disruption_targets
    terms += ["a boolean", "an object", "a list", "a number", "text", "a date"]  # what a JSON value is (io.json)
    return {
        "term": sorted(set(terms)),
        "field": [f"{rt.name}.{f.name}" for rt, f in fields],
        "unit": sorted({f.unit for _, f in fields if f.unit}),
    }


@cache
def _digitless(kind: str) -> list[str]:
    """The words of ``kind`` without digits in either language (their digits are checked on their own)."""

    def shown(w: str, lang: str) -> str:
        return render_why("missing_value", {"field": w}, lang) if kind == "field" else messages._word(kind, w, lang)  # type: ignore[arg-type]

    return [w for w in validation_words()[kind] if not re.search(r"\d", shown(w, "en") + shown(w, "ru"))]


def test_every_word_a_validation_message_names_has_russian() -> None:
    ru = messages.translations("ru")
    for kind, words in validation_words().items():
        assert words, kind
        for w in words:
            if kind == "field":
                en_text, ru_text = (render_why("missing_value", {"field": w}, lang) for lang in ("en", "ru"))
            else:
                en_text, ru_text = w, ru.gettext(w)
            if re.search("[a-z]{2}", en_text):  # a word, not a symbol (°, %, ×)
                assert ru_text != en_text, (kind, w)
                assert CYRILLIC.search(ru_text), (kind, w)
            if kind != "field":  # a field's Russian description is the schema's (tests/test_schema_russian.py)
                assert re.findall(r"\d+", ru_text) == re.findall(r"\d+", en_text), (kind, w, ru_text)


def _args(m: messages.Message, leaf: st.SearchStrategy[dict[str, Any]]) -> st.SearchStrategy[dict[str, Any]]:
    fields: dict[str, st.SearchStrategy[Any]] = {}
    for name, kind in m.args.items():
        if kind == "text":
            fields[name] = _NAME
        elif kind in ("term", "field", "unit"):
            fields[name] = st.sampled_from(_digitless(kind))
        elif kind == "message":
            fields[name] = leaf
        elif kind == "list":
            fields[name] = st.lists(st.one_of(_NAME, leaf), max_size=5)
        elif kind == "clauses":
            fields[name] = st.lists(leaf, max_size=4)
        else:
            fields[name] = _VALUE[kind]
    return st.fixed_dictionaries(fields)


_LEAF = st.sampled_from(_LEAVES).flatmap(lambda m: _args(m, st.nothing()).map(lambda a: why(m.id, **a)))
MESSAGE = st.sampled_from(list(MESSAGES.values())).flatmap(lambda m: _args(m, _LEAF).map(lambda a: why(m.id, **a)))


def expected_numbers(message: dict[str, Any]) -> Counter[float]:
    """The values a message's sentence must show, from its parameters (per cent as 0–100, units whole)."""
    m = MESSAGES[message["id"]]
    out: Counter[float] = numbers_in(PLACEHOLDER.sub(" ", m.text), "en")  # figures of the text itself ("0 weeks")
    for name, kind in m.args.items():
        v = message["args"][name]
        if kind == "message":
            out += expected_numbers(v)
        elif kind in ("list", "clauses"):
            for x in v:
                if not isinstance(x, str):
                    out += expected_numbers(x)
        elif kind == "percent":
            out[round(100 * v)] += 1
        elif kind == "weeks":
            out[round(v, 2)] += 1
        elif kind == "pp":
            out[round(v, 3)] += 1
        elif kind in ("units", "count", "money", "int"):
            out[round(v)] += 1
        elif kind in ("share1", "share0"):
            out[round(round(100 * v, 1 if kind == "share1" else 0), 3)] += 1
        elif kind == "gap":
            out[round(round(v, 4), 3)] += 1
        elif kind == "amount":
            out[round(abs(round(v, 2)), 3)] += 1  # the sign is not part of the number read back
        elif kind == "factor":
            out[round(float(f"{v:g}"), 3)] += 1  # the shortest form: six significant digits
    return out


@settings(max_examples=300, deadline=None)
@given(MESSAGE)
def test_any_message_renders_in_both_languages_and_keeps_every_number(message: dict[str, Any]) -> None:
    expected = expected_numbers(message)
    for lang in ("en", "ru"):
        text = render_why(message["id"], message["args"], lang)
        assert "%(" not in text
        assert numbers_in(text, lang) == expected, (lang, text)
    # the stored form (JSON) renders the same as the parameters themselves
    stored = messages.args_json(message["args"])
    assert render_why(message["id"], stored, "ru") == render_why(message["id"], message["args"], "ru")
    assert json.loads(stored) == message["args"]


def test_numbers_are_written_in_each_languages_notation() -> None:
    m = why("units short", short=12345.4, needed=1234567.0, start=2.5, end=8.0)
    assert render_why(m["id"], m["args"], "en") == "12,345 units short of 1,234,567 needed in weeks 2.5–8"
    assert render_why(m["id"], m["args"], "ru") == (
        "не хватает 12\u202f345 шт. из 1\u202f234\u202f567 необходимых на неделях 2,5–8"
    )
    cut = why("capacity cut", part="Brake unit", node="Minsk (BY)", available=0.5, lost=39411.15, start=0.0, end=8.0)
    assert "capacity cut to 50 % in weeks 0–8 (39,411 units of capacity lost)" in render_why(
        cut["id"], cut["args"], "en"
    )
    assert "мощность снижена до 50 % на неделях 0–8 (потеряно 39\u202f411 шт." in render_why(
        cut["id"], cut["args"], "ru"
    )


@settings(max_examples=500, deadline=None)
@given(
    st.one_of(st.floats(-1e15, 1e15, allow_nan=False), st.integers(-(10**9), 10**9).map(lambda i: i / 8)),
    st.integers(0, 3),
    st.sampled_from(["en", "ru"]),
)
def test_the_fast_decimal_is_babels_format_decimal(value: float, decimals: int, lang: str) -> None:
    from babel.numbers import format_decimal

    from importsub.units import THIN, decimal

    pattern = "#,##0." + "0" * decimals if decimals else "#,##0"
    expected = format_decimal(round(value, decimals), format=pattern, locale=lang)
    if lang == "ru":
        expected = expected.replace("\u00a0", THIN).replace(" ", THIN)
    assert decimal(value, decimals, lang) == expected


# ---------------------------------------------------------------- bad input says what and where


@pytest.mark.parametrize(
    ("message_id", "args", "says"),
    [
        ("no such message", {}, "'no such message' is not declared"),
        ("more suppliers", {}, "parameters missing ['n']"),
        ("more suppliers", {"n": 1, "m": 2}, "not declared ['m']"),
        ("more suppliers", {"n": "three"}, "parameter 'n' (count): 'three' is not a count"),
        ("more suppliers", {"n": float("nan")}, "parameter 'n' (count)"),
        ("supplier down", {"supplier": 3}, "parameter 'supplier' (text)"),
        ("more suppliers", "{not json", "parameters are not JSON"),
        ("more suppliers", "[1]", "not a JSON object"),
    ],
)
def test_a_bad_message_names_the_message_and_parameter(message_id: str, args: Any, says: str) -> None:
    with pytest.raises(MessageError, match=re.escape(says)):
        render_why(message_id, args, "en")


# ---------------------------------------------------------------- a real explain table


@pytest.fixture(scope="module")
def demo_why() -> pl.DataFrame:
    ds = load_demo()
    net = compile(ds, "eu-exit+cn-border-26w")  # binds every kind of constraint but a pool with all parts down
    return run_shock(net, compile_shock(ds, net, "eu-exit+cn-border-26w"), why=200)["why"]


def test_every_explain_row_renders_in_both_languages_with_the_same_figures(demo_why: pl.DataFrame) -> None:
    assert demo_why.height > 10
    kinds = {"input shortage", "capacity cut", "at capacity", "link not qualified", "pool at limit"}
    assert kinds <= set(demo_why["why id"].to_list())
    for row in demo_why.iter_rows(named=True):
        english = render_why(row["why id"], row["why args"], "en")
        assert english == row["why"]  # the file column is the English rendering of the stored form
        russian = render_why(row["why id"], row["why args"], "ru")
        assert CYRILLIC.search(russian), russian
        assert numbers_in(russian, "ru") == numbers_in(english, "en"), (english, russian)
        # the figure of the row is in its sentence
        if row["units short [units]"] > 0.5:
            assert round(row["units short [units]"]) in numbers_in(english, "en"), english


def test_localised_renders_again_keeps_masked_cells_and_drops_the_stored_form(demo_why: pl.DataFrame) -> None:
    masked = demo_why.with_columns(
        pl.when(pl.int_range(pl.len()) == 0).then(None).otherwise(pl.col(c)).alias(c)
        for c in ("why", "why id", "why args")
    )
    ru = localised(masked, "ru")
    en = localised(masked, "en")
    assert "why id" not in ru.columns
    assert "why args" not in ru.columns
    assert ru.columns == en.columns == [c for c in demo_why.columns if c not in ("why id", "why args")]
    assert ru["why"][0] is None
    assert en["why"][0] is None
    assert all(CYRILLIC.search(t) for t in ru["why"].to_list()[1:])
    assert en["why"].to_list()[1:] == demo_why["why"].to_list()[1:]
    # a table stored before the messages (no why id / why args) is shown as it is
    old = demo_why.drop("why id", "why args")
    assert localised(old, "ru").equals(old)


def test_the_portfolio_says_why_in_both_languages_with_the_same_figures() -> None:
    from importsub.analysis.portfolio import PortfolioModel, optimise
    from test_portfolio import hand

    chosen = optimise(PortfolioModel.build(hand(), objective="loss", scenarios=["S1", "S2"]), 4e9)["chosen"]
    assert chosen.height == 2
    for row in chosen.iter_rows(named=True):
        assert render_why(row["why id"], row["why args"], "en") == row["why"]
        russian = render_why(row["why id"], row["why args"], "ru")
        assert "мощность" in russian, russian
        assert numbers_in(russian, "ru") == numbers_in(row["why"], "en"), (row["why"], russian)
    # without P-B, S1 is lost entirely: 500,000 RUB avoided in S1 (tests/test_portfolio.py::test_hand_case)
    p_b = chosen.row(by_predicate=pl.col("project") == "P-B", named=True)
    assert "S1: 500,000 RUB" in p_b["why"]
    assert "S1: 500\u202f000 руб." in render_why(p_b["why id"], p_b["why args"], "ru")


def test_why_untraced_in_both_languages() -> None:
    from importsub.analysis.localisation import localisation

    ds = load_demo()
    untraced = localisation(compile(ds), "union", paths=0)["untraced"]
    assert untraced.height > 0
    assert set(untraced["why untraced id"].to_list()) <= {"inputs without supply link", "no BOM not basic"}
    ru = localised(untraced, "ru")
    assert "why untraced id" not in ru.columns
    for en_text, ru_text in zip(untraced["why untraced"].to_list(), ru["why untraced"].to_list(), strict=True):
        assert en_text in ("BOM inputs without a supply link", "no BOM and not a basic material")
        assert CYRILLIC.search(ru_text), ru_text


# ---------------------------------------------------------------- compliance reasons and portfolio notes

SENTENCES = {"models": "note", "items": "reason", "next steps": "note"}


@pytest.fixture(scope="module")
def demo_compliance() -> dict[str, pl.DataFrame]:
    from importsub.analysis.compliance import compliance_of

    r = compliance_of(load_demo(), 2024)
    return {t: r[t] for t in SENTENCES}


def test_every_compliance_reason_renders_in_both_languages_with_the_same_figures(
    demo_compliance: dict[str, pl.DataFrame],
) -> None:
    seen: set[str] = set()
    for table, column in SENTENCES.items():
        df = demo_compliance[table]
        said = df.filter(pl.col(column).is_not_null())
        assert said.height > 0, table
        # a cell has its message exactly when it has its sentence
        assert df.filter(pl.col(column).is_null() != pl.col(column + " id").is_null()).height == 0, table
        ru = localised(df, "ru")
        assert column + " id" not in ru.columns
        assert column + " args" not in ru.columns
        assert localised(df, "en")[column].to_list() == df[column].to_list()
        for row, russian in zip(df.iter_rows(named=True), ru[column].to_list(), strict=True):
            english = row[column]
            if english is None:
                assert russian is None
                continue
            seen.add(row[column + " id"])
            assert render_why(row[column + " id"], row[column + " args"], "en") == english
            assert CYRILLIC.search(russian), russian
            assert numbers_in(russian, "ru") == numbers_in(english, "en"), (english, russian)
            if row[column + " id"].startswith("foreign over limit"):  # the input's foreign share is in its reason
                assert round(row["share [%]"], 1) in numbers_in(english, "en"), english
    # the demo exercises nearly every kind of reason
    assert {
        "made outside group",
        "foreign over limit, no heading change",
        "operation share",
        "share from registered",
        "share from group",
        "no input matching",
        "below required",
        "earns only with group",
        "earns only with",
        "no rule in force",
    } <= seen, seen


def test_compliance_reasons_keep_their_english_wording() -> None:
    """The English file columns say what they said before the messages (hand-written expectations)."""
    cases = [
        (why("made outside group", country="DE"), "made outside the group (DE)"),
        (why("foreign over limit", foreign=0.1234, limit=0.5), "foreign materials 12.3% > 50% of ex-works price"),
        (
            why("foreign over limit, no heading change", foreign=0.6, limit=0.5),
            "foreign materials 60.0% > 50% of ex-works price, no change of tariff heading",
        ),
        (
            why("below required", what=why("share from group", share=0.25), min=0.4),
            "25.0% from group producers < 40% required",
        ),
        (
            why("earns only with group", what=why("operation share", code="welding", share=1.0), group="'body'"),
            "operation welding: 100.0% of volume; earns only with every item of 'body'",
        ),
        (why("earns only with", items=["A", "B"]), "earns only with A, B"),
        (why("no rule in force", regime="pp719", on="2024-01-01"), "no pp719 rule in force on 2024-01-01"),
        (why("missing required", items=["i1"]), "missing required: i1"),
        (why("no input matching", code="8708"), "no input matching 8708 in the supply tree"),
        (
            why("solved by Benders", iterations=12, cuts=1234, solves=5),
            "Solved by Benders decomposition: 12 master iterations, 1234 cuts, 5 second-stage LP solves.",
        ),
        (
            why("greedy worse", gap=1234567.891, unit=why("objective loss")),
            "Greedy benefit/cost funds a different set; its objective is worse by 1,234,567.89 (expected loss [RUB]).",
        ),
    ]
    for message, english in cases:
        assert render_why(message["id"], message["args"], "en") == english
    stopped = why("solve stopped", method="mip", status="time limit", gap=0.12345)
    assert "optimality gap of 0.1235 %:" in render_why(stopped["id"], stopped["args"], "en")
    assert "разрывом оптимальности 0,1235 %:" in render_why(stopped["id"], stopped["args"], "ru")


@pytest.mark.parametrize("method", ["mip", "benders"])
def test_the_portfolio_notes_in_both_languages_with_the_same_figures(method: str) -> None:
    from importsub.analysis.portfolio import PortfolioModel, optimise
    from test_portfolio import hand

    model = PortfolioModel.build(hand(), objective="loss", scenarios=["S1", "S2"], method=method)
    notes = optimise(model, 4e9)["notes"]
    assert notes.columns == ["note", "note id", "note args"]
    assert "capex of a level" in notes["note id"].to_list()
    assert ("solved by Benders" in notes["note id"].to_list()) == (method == "benders")
    ru = localised(notes, "ru")
    for row, russian in zip(notes.iter_rows(named=True), ru["note"].to_list(), strict=True):
        assert render_why(row["note id"], row["note args"], "en") == row["note"]
        assert CYRILLIC.search(russian), russian
        assert numbers_in(russian, "ru") == numbers_in(row["note"], "en"), (row["note"], russian)


# ---------------------------------------------------------------- the projects' notes and the programme's size


def test_the_projects_notes_keep_their_english_wording_and_render_in_russian() -> None:
    """Why a project output adds no capacity: the English file column says what it said before the messages
    (hand-written expectations), the Russian has the same figures."""
    from importsub.compile.projects import application

    ds = load_demo()
    # the braking project has no host site; Orsha's ring mill ramps up from 0 in 2025
    notes = {}
    for pid, year in (("P-BRAKES", 2030), ("P-RINGS-ORSHA", 2025)):
        cap = application(ds, [pid], year).capacity
        assert cap.height > 0, pid
        assert cap.filter(pl.col("note").is_null() != pl.col("note id").is_null()).height == 0, pid
        notes[pid] = cap.row(0, named=True)
    english = {
        "P-BRAKES": "no host site: adds no capacity until one is chosen",
        "P-RINGS-ORSHA": "ramp-up 0 × scale 1 in 2025: no capacity yet",
    }
    for pid, row in notes.items():
        assert row["note"] == english[pid]
        assert render_why(row["note id"], row["note args"], "en") == row["note"]
        russian = render_why(row["note id"], row["note args"], "ru")
        assert CYRILLIC.search(russian), russian
        assert not re.search("[A-Za-z]", russian), russian
        assert numbers_in(russian, "ru") == numbers_in(row["note"], "en"), (row["note"], russian)
    # a scale below one and a fraction: the notation of each language, the English as the f-string wrote it
    m = why("no capacity yet", rampup=0.0, scale=0.25, year=2031)
    assert render_why(m["id"], m["args"], "en") == "ramp-up 0 × scale 0.25 in 2031: no capacity yet"
    assert render_why(m["id"], m["args"], "ru") == "освоение 0 × масштаб 0,25 в 2031 г.: мощности пока нет"
    # a capacity row that adds capacity says nothing
    added = application(ds, ["P-LED-RUDENSK"], 2028).capacity.filter(pl.col("capacity added [units/yr]") > 0)
    assert added.height > 0
    assert added.select(pl.col("note", "note id", "note args").is_null().all()).row(0) == (True, True, True)


def test_the_programmes_size_in_both_languages() -> None:
    from importsub.analysis.programme import programme_summary

    status = programme_summary(load_demo(), None, programme_size=14)["status"]
    ru = localised(status, "ru")
    assert "note id" not in ru.columns
    notes = dict(zip(status["status"].to_list(), ru["note"].to_list(), strict=True))
    assert notes["programme"] == "опубликовано 4 из 14"
    assert notes["not public"] == "нет в наборе данных (не опубликованы)"
    assert notes["planned"] == ""  # a status row without a note keeps its empty cell
    assert localised(status, "en")["note"].to_list() == status["note"].to_list()
