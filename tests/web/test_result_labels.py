"""Result table headers carry their declaration: the Russian label on Russian pages, the description as tooltip."""

from __future__ import annotations

import html
import re
from typing import Any

import pytest
from fastapi.testclient import TestClient
from webenv import Env, login

from importsub.model.results import result_columns


def _run(env: Env, kind: str, params: dict[str, Any]) -> int:
    r = env.post("admin", f"/api/analyses/{kind}?dataset=plant", json=params)
    assert r.status_code in (200, 202), r.text
    env.run_jobs()
    return int(r.json()["id"])


@pytest.fixture(scope="module")
def jobs(shared_env: Env) -> dict[str, int]:
    return {
        "shock": _run(shared_env, "shock", {"scenario": "de-8w"}),
        "localisation": _run(shared_env, "localisation", {}),
    }


def _headers(page: str) -> dict[str, str]:
    """Header text -> its tooltip, for every result header with one."""
    return {
        html.unescape(t): html.unescape(title) for title, t in re.findall(r'<th title="([^"]*)">([^<]*)</th>', page)
    }


def _page(env: Env, lang: str, url: str) -> str:
    c = TestClient(env.client.app, base_url="http://testserver")
    csrf = login(c, "admin")
    c.post("/language", data={"lang": lang, "csrf_token": csrf, "next": "/"})
    r = c.get(url)
    assert r.status_code == 200
    assert f'<html lang="{lang}">' in r.text
    return r.text


@pytest.mark.parametrize("kind", ["shock", "localisation"])
def test_russian_page_shows_the_russian_label_and_tooltip(shared_env: Env, jobs: dict[str, int], kind: str) -> None:
    cols = result_columns()
    ru = _headers(_page(shared_env, "ru", f"/jobs/{jobs[kind]}"))
    en = _headers(_page(shared_env, "en", f"/jobs/{jobs[kind]}"))
    column = "extra lost margin [RUB]" if kind == "shock" else "import content [%]"
    c = cols[column]
    label = c.label_ru[0].upper() + c.label_ru[1:]
    assert label in ru, sorted(ru)
    assert ru[label] == c.description_ru
    assert "руб." in label or "%" in label
    assert c.description in en.values()
    assert not set(ru) & {h for h in en if re.search(r"[A-Za-z]{4,}", h) and h not in ("MRL",)}
    # every tooltip on the Russian page is a Russian description
    assert all(re.search("[а-яА-Я]", t) for t in ru.values()), ru


def test_html_report_uses_the_labels(shared_env: Env, jobs: dict[str, int]) -> None:
    page = _page(shared_env, "ru", f"/api/jobs/{jobs['localisation']}/export?format=html")
    heads = _headers(page)
    c = result_columns()["import content [%]"]
    assert heads[c.label_ru[0].upper() + c.label_ru[1:]] == c.description_ru


def test_generic_result_page_says_why_untraced_in_the_page_language(shared_env: Env, jobs: dict[str, int]) -> None:
    result = shared_env.get("admin", f"/api/jobs/{jobs['localisation']}/result").json()
    t = result["tables"]["untraced"]
    reasons = {row[t["columns"].index("why untraced id")] for row in t["rows"]}
    assert reasons  # the plant has untraced value
    ru = _page(shared_env, "ru", f"/jobs/{jobs['localisation']}")
    en = _page(shared_env, "en", f"/jobs/{jobs['localisation']}")
    english = {
        "inputs without supply link": "BOM inputs without a supply link",
        "no BOM not basic": "no BOM and not a basic material",
    }
    russian = {
        "inputs without supply link": "входы спецификации (BOM) без связи поставки",
        "no BOM not basic": "нет спецификации (BOM), и это не базовый материал",
    }
    for reason in reasons:
        assert english[reason] in en
        assert russian[reason] in ru
        assert english[reason] not in ru
    # the stored form is for rendering, not for reading: neither page shows it
    assert "why untraced id" not in en
    assert "why untraced args" not in en
