"""Analysis parameters from one declaration (:mod:`importsub.web.services.params`): the form's widgets in English
and Russian, server-side validation naming the field, the API schema, the Russian catalogue; demand-only and
project scenarios run from the web with the figures of ``tests/test_demand_only_scenarios.py``."""

from __future__ import annotations

import html
import re
from typing import Any

import pytest
from fastapi.testclient import TestClient
from hypothesis import given, settings
from hypothesis import strategies as st
from webenv import Env, login

from importsub.web.i18n import reset_language, set_language, translations
from importsub.web.services.catalogue import build_analyses
from importsub.web.services.params import UNITS, choices_of, error_messages, form_fields, form_values
from test_demand_only_scenarios import PROJECT, expected_loss, hand_network

ANALYSES = build_analyses()


def _client(env: Env, who: str, lang: str = "en") -> tuple[TestClient, str]:
    c = TestClient(env.client.app, base_url="http://testserver")
    csrf = login(c, who)
    r = c.post("/language", data={"lang": lang, "csrf_token": csrf, "next": "/"}, follow_redirects=False)
    assert r.status_code in (303, 200), r.text[:300]
    return c, csrf


def _form_of(page: str, kind: str) -> str:
    m = re.search(rf'<input type="hidden" name="kind" value="{kind}">(.*?)</form>', page, re.S)
    assert m, f"no form of {kind}"
    return m.group(1)


def _select(form: str, name: str) -> list[tuple[str, str]]:
    m = re.search(rf'<select id="[^"]+" name="{name}"[^>]*>(.*?)</select>', form, re.S)
    assert m, f"no select {name}"
    return [(v, html.unescape(t)) for v, t in re.findall(r'<option value="([^"]*)"[^>]*>([^<]*)</option>', m.group(1))]


# ---------------------------------------------------------------- the form


def test_form_widgets_in_english(shared_env: Env) -> None:
    c, _csrf = _client(shared_env, "ministry")
    page = c.get("/analyses").text
    shock = _form_of(page, "shock")
    assert _select(shock, "target_kind")[:3] == [("", "default"), ("group", "Country group"), ("country", "Country")]
    assert [v for v, _t in _select(shock, "scenario")] == ["", "de-8w"]  # the dataset's scenarios
    assert [v for v, _t in _select(shock, "year")] == ["", "2025", "2026", "2027"]  # demand and ramp-up years
    assert re.search(r'name="severity" type="number" value="1.0" step="any" min="0" max="1"', shock)
    assert "Ad-hoc disruption: severity [fraction 0–1]" in shock
    mc = _form_of(page, "montecarlo")
    assert re.search(r'name="runs" type="number" value="10000" step="1" min="1" max="200000"', mc)
    assert _select(mc, "reference") == [("lp", "Undisrupted optimum (LP)"), ("shares", "Supply shares as recorded")]
    sweep = _form_of(page, "sweep")
    assert (
        '<input type="hidden" name="tts" value="false"><input type="checkbox" id="sweep-tts" name="tts" value="true" >'
        in sweep
    )
    portfolio = _form_of(page, "portfolio")
    assert re.search(r'name="sweep" value="true" checked', portfolio)  # default True: ticked
    assert re.search(r'<select id="portfolio-scenarios" name="scenarios" multiple', portfolio)
    assert _select(_form_of(page, "project"), "project") == [("P-BRAKE", "P-BRAKE — Braking systems")]
    assert 'type="date"' in _form_of(page, "programme")


def test_form_widgets_in_russian(shared_env: Env) -> None:
    c, _csrf = _client(shared_env, "ministry", "ru")
    page = c.get("/analyses").text
    shock = _form_of(page, "shock")
    kinds = dict(_select(shock, "target_kind"))
    assert kinds["site"] == "Площадка"
    assert kinds["link"] == "Связь поставки"
    assert kinds[""] == "по умолчанию"
    assert "Разовый сбой: тяжесть [доля 0–1]" in shock
    assert "Окно [нед.]" in shock
    sim = _form_of(page, "simulate")
    assert dict(_select(sim, "rationing"))["smaller-first"] == "Сначала меньшие покупатели"
    assert "Политика запасов" in sim
    assert "Ad-hoc" not in page
    assert "Random scenarios" not in page


# ---------------------------------------------------------------- validation


@pytest.mark.parametrize(
    ("lang", "data", "message"),
    [
        ("en", {"kind": "montecarlo", "runs": "0"}, "«Random scenarios [count]»: must be at least 1"),
        ("ru", {"kind": "montecarlo", "runs": "0"}, "«Случайные сценарии [шт.]»: должно быть не меньше 1"),
        ("en", {"kind": "montecarlo", "runs": "many"}, "«Random scenarios [count]»: must be a whole number"),
        (
            "ru",
            {"kind": "simulate", "scenario": "de-8w", "rationing": "lottery"},
            "«Распределение дефицита»: должно быть одним из",
        ),
        ("en", {"kind": "shock", "scenario": "nowhere"}, "«Scenario»: no scenario nowhere in dataset plant"),
        ("ru", {"kind": "shock", "scenario": "nowhere"}, "«Сценарий»: в наборе данных plant нет сценария nowhere"),
        (
            "en",
            {"kind": "shock", "target_kind": "site"},
            "an ad-hoc disruption needs both a kind of target and a target",
        ),
        ("ru", {"kind": "shock"}, "укажите сценарий, разовый сбой (вид объекта и объект) или и то и другое"),
        ("en", {"kind": "portfolio", "budget": "-5"}, "«Capex budget [RUB]»: must be more than 0"),
    ],
)
def test_bad_value_is_refused_naming_the_field(shared_env: Env, lang: str, data: dict[str, str], message: str) -> None:
    c, csrf = _client(shared_env, "ministry", lang)
    r = c.post("/analyses/run", data={"csrf_token": csrf, "dataset": "plant", **data}, follow_redirects=False)
    assert r.status_code == 422
    errors = re.search(rf'<ul class="error" role="alert" id="errors-{data["kind"]}">(.*?)</ul>', r.text, re.S)
    assert errors, r.text[:2000]
    assert message in html.unescape(errors.group(1))
    # the submitted values stay in the form
    if data.get("runs") == "0":
        assert 'name="runs" type="number" value="0"' in _form_of(r.text, "montecarlo")
    assert shared_env.run_jobs() == 0  # nothing was queued


def test_unticked_checkbox_sends_false(env: Env) -> None:
    c, csrf = _client(env, "ministry")
    form = {"csrf_token": csrf, "dataset": "plant", "kind": "portfolio", "budget": "2e9", "sweep": "false"}
    r = c.post("/analyses/run", data=form, follow_redirects=False)
    assert r.status_code == 303, r.text[:1000]
    job = env.get("admin", r.headers["location"].replace("/jobs/", "/api/jobs/")).json()
    assert job["params"]["sweep"] is False
    r = c.post("/analyses/run", data={**form, "sweep": ["false", "true"]}, follow_redirects=False)
    job = env.get("admin", r.headers["location"].replace("/jobs/", "/api/jobs/")).json()
    assert job["params"]["sweep"] is True


def test_api_schema_carries_labels_units_and_choices_in_the_callers_language(shared_env: Env) -> None:
    en = {a["kind"]: a for a in shared_env.get("admin", "/api/analyses").json()}
    props = en["simulate"]["params_schema"]["properties"]
    assert props["target_weeks"]["title"] == "Target stock [weeks]"
    assert props["target_weeks"]["x-unit"] == "weeks"
    assert props["policy"]["x-choices"] == {"base-stock": "Base stock", "order-up-to": "Order up to"}
    ru = shared_env.client.get("/api/analyses", headers={**shared_env.auth("admin"), "Accept-Language": "ru"}).json()
    props = {a["kind"]: a for a in ru}["simulate"]["params_schema"]["properties"]
    assert props["target_weeks"]["title"] == "Целевой запас [нед.]"
    assert props["policy"]["x-choices"]["base-stock"] == "Базовый запас"
    # a bad parameter through the API: 422, each problem with a message naming the field
    r = shared_env.client.post(
        "/api/analyses/montecarlo?dataset=plant",
        json={"runs": 0, "window": 13},
        headers={**shared_env.auth("admin"), "Accept-Language": "ru"},
    )
    assert r.status_code == 422
    (problem,) = r.json()["detail"]
    assert problem["loc"] == ["runs"]
    assert problem["message"] == "«Случайные сценарии [шт.]»: должно быть не меньше 1"


# ---------------------------------------------------------------- the declarations and the catalogue


def _declared_texts() -> list[str]:
    texts = set(UNITS.values()) - {"%"}
    for spec in ANALYSES.values():
        for name, f in spec.params.model_fields.items():
            extra = f.json_schema_extra if isinstance(f.json_schema_extra, dict) else {}
            assert extra.get("x-label"), f"{spec.kind}.{name} has no label"
            texts.add(str(extra["x-label"]))
            if f.description:
                texts.add(f.description)
            codes = choices_of(f)
            if codes is not None:
                labels = extra.get("x-choices")
                assert isinstance(labels, dict), f"{spec.kind}.{name}: choices without labels"
                assert list(labels) == codes, f"{spec.kind}.{name}: labels of {list(labels)}, choices {codes}"
                texts |= {str(t) for t in labels.values()}
    return sorted(texts)


def test_every_parameter_has_a_russian_label_help_and_choice_labels() -> None:
    ru = translations("ru")
    texts = _declared_texts()
    assert len(texts) > 100
    missing = [t for t in texts if ru.gettext(t) == t]
    assert not missing, f"no Russian for: {missing}"
    cyrillic = re.compile("[а-яё]", re.I)
    assert all(cyrillic.search(ru.gettext(t)) for t in texts)


# ---------------------------------------------------------------- property: form → model → form


@settings(max_examples=60, deadline=None)
@given(
    runs=st.integers(-10, 300_000),
    window=st.floats(-5, 600, allow_nan=False),
    reference=st.sampled_from(["lp", "shares", "both", ""]),
    simulate=st.booleans(),
)
def test_form_values_validate_exactly_as_declared(runs: int, window: float, reference: str, simulate: bool) -> None:
    from pydantic import ValidationError

    from importsub.web.services.shocks import MonteCarloParams

    class Form(dict[str, list[str]]):
        def getlist(self, key: str) -> list[str]:
            return self.get(key, [])

    form = Form(
        runs=[str(runs)], window=[repr(window)], reference=[reference], simulate=["false"] + ["true"] * simulate
    )
    values = form_values(MonteCarloParams, form)
    ok = 1 <= runs <= 200_000 and 0 < window <= 520 and reference in ("lp", "shares", "")
    token = set_language("ru")
    try:
        model = MonteCarloParams.model_validate(values)
    except ValidationError as exc:
        assert not ok
        messages = error_messages(MonteCarloParams, exc)
        fields = {"runs": "«Случайные сценарии [шт.]»", "window": "«Окно каждого сценария [нед.]»"}
        fields["reference"] = "«Опорный план»"
        bad = [f for f, good in (("runs", 1 <= runs <= 200_000), ("window", 0 < window <= 520)) if not good]
        bad += ["reference"] * (reference not in ("lp", "shares", ""))
        assert len(messages) == len(bad)
        for f, m in zip(bad, messages, strict=True):
            assert m.startswith(fields[f] + ": ")
        return
    finally:
        reset_language(token)
    assert ok
    assert (model.runs, model.window, model.simulate) == (runs, window, simulate)
    assert model.reference == (reference or "lp")
    widgets = {w["name"]: w for w in form_fields(MonteCarloParams)}
    assert widgets["simulate"]["input"] == "checkbox"
    assert widgets["runs"]["min"] == "1"


# ---------------------------------------------------------------- demand-only and project scenarios from the web


def _summary(env: Env, job: int) -> dict[str, Any]:
    t = env.get("admin", f"/api/jobs/{job}/result").json()["tables"]["summary"]
    return dict(zip(t["columns"], t["rows"][0], strict=True))


def test_demand_only_and_project_scenarios_run_from_the_analyses_form(env: Env) -> None:
    env.store.write_dataset(hand_network(), note="hand network", created_by="test")
    c, csrf = _client(env, "ministry")
    jobs = {}
    for scenario in ("demand-up", "demand-up+project"):
        r = c.post(
            "/analyses/run",
            data={"csrf_token": csrf, "dataset": "hand", "kind": "shock", "scenario": scenario, "window": ""},
            follow_redirects=False,
        )
        assert r.status_code == 303, r.text[:1000]
        jobs[scenario] = int(r.headers["location"].rsplit("/", 1)[1])
    r = c.post(
        "/analyses/run",
        data={"csrf_token": csrf, "dataset": "hand", "kind": "simulate", "scenario": "demand-up"},
        follow_redirects=False,
    )
    assert r.status_code == 303, r.text[:1000]
    jobs["simulate"] = int(r.headers["location"].rsplit("/", 1)[1])
    env.run_jobs()
    for scenario, project in (("demand-up", 0.0), ("demand-up+project", PROJECT)):
        s = _summary(env, jobs[scenario])
        assert (s["window [weeks]"], s["window basis"]) == (13.0, "default: the scenario disrupts nothing")
        assert s["lost margin [RUB]"] == pytest.approx(expected_loss(1.6, 13.0, project=project), rel=1e-7)
    sim = _summary(env, jobs["simulate"])
    assert sim["window basis"] == "default: the scenario disrupts nothing"
    assert sim["lost margin [RUB]"] == pytest.approx(expected_loss(1.6, 13.0), rel=1e-6)
    page = c.get(f"/jobs/{jobs['demand-up']}").text
    assert re.search(r'id="window-basis">default: the scenario disrupts nothing<', page)
    ru, _csrf = _client(env, "ministry", "ru")
    assert re.search(
        r'id="window-basis">по умолчанию: сценарий ничего не нарушает<', ru.get(f"/jobs/{jobs['demand-up']}").text
    )


def test_recent_runs_list_their_parameters_by_label(shared_env: Env) -> None:
    """The shocks page's recent runs name each parameter by its declared label in the page language, choices
    by their label (a run's ``recovery=instant`` reads «Восстановление: мгновенно»-like, not the code)."""
    c, csrf = _client(shared_env, "admin", "ru")
    r = c.post(
        "/api/analyses/shock?dataset=plant",
        json={"target_kind": "country", "target": "DE", "weeks": 3.0},
        headers={"X-CSRF-Token": csrf},
    )
    assert r.status_code in (200, 202), r.text
    shared_env.run_jobs()
    spec = ANALYSES["shock"]
    token = set_language("ru")
    try:
        expected = spec.describe({"target_kind": "country", "target": "DE", "weeks": 3.0})
    finally:
        reset_language(token)
    labels = dict(expected)
    assert labels["Разовый сбой: длительность [нед.]"] == "3.0"
    country = dict(_select(_form_of(c.get("/analyses").text, "shock"), "target_kind"))["country"]
    assert country in labels.values()  # the choice by its Russian label, not the code
    page = html.unescape(c.get("/shocks?dataset=plant").text)
    assert "Разовый сбой: длительность [нед.]: 3.0" in page
    assert "weeks=3.0" not in page
    assert "target_kind=" not in page
