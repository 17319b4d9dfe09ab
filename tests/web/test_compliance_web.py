"""The compliance result page (statutory localisation), in English and Russian."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from webenv import Env, login, make_env

sys.path.insert(0, str(Path(__file__).parents[1]))
from test_compliance import dataset


@pytest.fixture(scope="module")
def cenv(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Env]:
    db = str(tmp_path_factory.mktemp("compliance") / "web.sqlite")
    yield from make_env(db, versions=1, dataset=dataset())


@pytest.mark.parametrize(
    ("lang", "words"),
    [
        ("en", ("Models against their thresholds", "First breach", "Next steps")),
        ("ru", ("Модели против порогов", "Первое несоответствие", "Следующие шаги")),
    ],
)
def test_compliance_page_shows_scores_first_breach_and_next_steps(cenv: Env, lang: str, words: tuple[str, ...]) -> None:
    c = TestClient(cenv.client.app, base_url="http://testserver")
    csrf = login(c, "admin")
    c.post("/language", data={"lang": lang, "csrf_token": csrf, "next": "/"})
    form = {"kind": "compliance", "dataset": "compliance", "csrf_token": csrf, "regime": "pp719", "year": "2024"}
    r = c.post("/analyses/run", data=form, follow_redirects=False)
    assert r.status_code == 303, r.text[:500]
    cenv.run_jobs()
    html = c.get(r.headers["location"]).text
    for w in words:
        assert w in html
    assert 'id="compliance-models"' in html
    assert "PP-2024" in html
    assert "2026" in html  # the first breach (the engine's registry entry ran out in 2025)
    assert 'id="compliance-steps"' in html
    assert 'id="compliance-years"' in html


@pytest.mark.parametrize(
    ("lang", "says", "not_says"),
    [
        ("en", "missing required: paint", "не выполнены обязательные пункты"),
        ("ru", "не выполнены обязательные пункты: paint", "missing required"),
    ],
)
def test_the_reasons_of_a_verdict_are_in_the_page_language(cenv: Env, lang: str, says: str, not_says: str) -> None:
    """The stored English note is rendered again from its message id on a Russian page (the item name kept)."""
    c = TestClient(cenv.client.app, base_url="http://testserver")
    csrf = login(c, "admin")
    c.post("/language", data={"lang": lang, "csrf_token": csrf, "next": "/"})
    form = {"kind": "compliance", "dataset": "compliance", "csrf_token": csrf, "regime": "eaeu105", "year": "2024"}
    r = c.post("/analyses/run", data=form, follow_redirects=False)
    assert r.status_code == 303, r.text[:500]
    cenv.run_jobs()
    html = c.get(r.headers["location"]).text
    assert 'id="compliance-models"' in html
    assert says in html
    assert not_says not in html
