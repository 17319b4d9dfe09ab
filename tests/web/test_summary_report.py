"""The executive summary (/jobs/{id}/summary) and the Russian XLSX, read back as a ministry would.

The expected figures are computed here from the JSON export of the same job (the one humaniser,
``importsub.units.human``, applied to the export's exact value), not from the summary's own code.
"""

from __future__ import annotations

import html as htmllib
import io
import json
import re
from collections.abc import Iterator
from typing import Any

import polars as pl
import pytest
from hypothesis import example, given
from hypothesis import strategies as st
from webenv import PARAMS, Env, make_env, secret_texts

from importsub import units
from importsub.model.results import column, result_tables, split_unit
from importsub.reports.tables import sheet_name
from importsub.web.services.summary import SPECS

pytestmark = pytest.mark.slow

KINDS = ("shock", "sweep", "montecarlo", "project", "portfolio", "compliance", "simulate", "localisation")
FAST = {"montecarlo": {"runs": 200, "site_probability": 0.05}}
ALLOWED_LATIN = {"importsub", "XLSX", "CSV", "PDF", "VaR", "CVaR", "TTR", "PI", "TTS", "MIP", "DVA"}
"""Codes a Russian page may show in Latin letters (every other Latin word is data or a missing translation)."""


@pytest.fixture(scope="module")
def jobs(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Env, dict[tuple[str, str], int]]]:
    """Each kind with a result page run once by the admin (every figure visible) and once by the ministry."""
    for env in make_env(str(tmp_path_factory.mktemp("summary") / "web.sqlite")):
        ids = {}
        for who in ("admin", "ministry"):
            for kind in KINDS:
                r = env.post(who, f"/api/analyses/{kind}?dataset=plant", json=FAST.get(kind, PARAMS.get(kind, {})))
                assert r.status_code in (200, 202), r.text
                ids[(who, kind)] = r.json()["id"]
        env.run_jobs()
        yield env, ids


def _get(env: Env, who: str, url: str, lang: str) -> Any:
    return env.client.get(url, headers={"Accept-Language": lang, **env.auth(who)})


def _export(env: Env, who: str, job: int) -> dict[str, Any]:
    return json.loads(_get(env, who, f"/api/jobs/{job}/export?format=json", "en").content)


def _frames(export: dict[str, Any]) -> dict[str, pl.DataFrame]:
    return {t: pl.DataFrame(rows) if rows else pl.DataFrame() for t, rows in export["tables"].items()}


def _text(page: str) -> str:
    """What a reader sees: tags, styles and attributes gone, entities decoded, spaces joined."""
    page = re.sub(r"<style.*?</style>|<title>.*?</title>", " ", page, flags=re.S)
    return re.sub(r"\s+", " ", htmllib.unescape(re.sub(r"<[^>]+>", " ", page)))


def _kpis(page: str) -> list[str]:
    section = re.search(r'<section class="kpis" id="kpis">(.*?)</section>', page, re.S)
    assert section, "no KPI section"
    return [htmllib.unescape(v) for v in re.findall(r'<span class="v[^"]*">([^<]*)</span>', section.group(1))]


def _data_words(export: dict[str, Any], env_extra: tuple[str, ...] = ()) -> set[str]:
    """Every text a result's cells and fingerprint hold (names, codes, scenarios): data, not wording."""
    out = set(env_extra)
    for rows in export["tables"].values():
        for row in rows:
            out.update(str(v) for v in row.values() if isinstance(v, str))
    out.update(str(v) for v in export["fingerprint"].values())
    return out


@pytest.mark.parametrize("kind", KINDS)
def test_russian_summary_has_the_results_figures_and_no_english(jobs: tuple[Env, dict[Any, int]], kind: str) -> None:
    env, ids = jobs
    job = ids[("admin", kind)]
    r = _get(env, "admin", f"/jobs/{job}/summary", "ru")
    assert r.status_code == 200, r.text[:300]
    assert r.headers["content-type"].startswith("text/html")
    assert "script" not in r.text.lower()  # nothing runs: the page can be mailed and archived
    assert "'unsafe-inline'" in r.headers["content-security-policy"]  # its own styles, nothing else
    page = r.text
    title = re.search(r"<h1>(.*?)</h1>", page, re.S)
    assert title
    assert htmllib.unescape(title.group(1)).startswith("Краткая справка: ")
    assert re.search("[а-яё]{4}", htmllib.unescape(title.group(1)).split(": ", 1)[1])
    export = _export(env, "admin", job)
    # the KPIs are the result's figures, humanised by the one humaniser with their units
    spec = SPECS[kind]
    if kind != "compliance":
        assert isinstance(spec.kpi_table, str)
        rows = export["tables"][spec.kpi_table]
        # the first row, or the one with the largest figure of kpi_sort (localisation: the largest OEM)
        row = max(rows, key=lambda r: r[spec.kpi_sort] or 0) if spec.kpi_sort else rows[0]
        kpis = spec.kpis if isinstance(spec.kpis, tuple) else spec.kpis(_frames(export))
        assert kpis, kind

        def shown(c: str) -> str:
            return "скрыто" if row[c] is None else units.human(row[c], split_unit(c)[1] or "", lang="ru")

        expected = [shown(c) for c in kpis if c in row][:6]
        assert sum(e != "скрыто" for e in expected) >= 1, (kind, expected)  # the admin sees figures
        assert _kpis(page) == expected
        assert any(re.search("(руб|шт|нед|%)", e) for e in expected), expected  # units on the figures
    else:  # compliance: counts of its checks
        models = export["tables"]["models"]
        passed = sum(1 for m in models if m["pass"])
        assert _kpis(page) == [
            units.human(len(models), lang="ru"),
            units.human(passed, lang="ru"),
            units.human(len(models) - passed, lang="ru"),
        ]
    text = _text(page)
    assert "Что это значит:" in text
    assert "Конфиденциально" in text
    assert "Набор данных: plant" in text
    for data in sorted(_data_words(export), key=len, reverse=True):
        text = text.replace(data, " ")
    latin = set(re.findall(r"[A-Za-z][A-Za-z]+", text)) - ALLOWED_LATIN
    assert not latin, f"English on the Russian summary: {sorted(latin)}"


def test_english_summary_and_its_chart(jobs: tuple[Env, dict[Any, int]]) -> None:
    env, ids = jobs
    job = ids[("admin", "shock")]
    page = _get(env, "admin", f"/jobs/{job}/summary", "en").text
    row = _export(env, "admin", job)["tables"]["summary"][0]
    pi = row["performance impact [RUB]"]
    assert pi > 0
    assert _kpis(page)[0] == units.human(pi, "RUB")
    assert "Executive summary: " in page
    assert "What this means:" in _text(page)
    assert units.human(pi, "RUB") in htmllib.unescape(page.split('id="meaning"')[1])
    svg = re.search(r"<svg.*?</svg>", page, re.S)
    assert svg, "the shock summary draws its chart"
    oems = _export(env, "admin", job)["tables"]["oems"]
    largest = max(o["extra lost margin [RUB]"] for o in oems)
    assert units.human(largest, "RUB") in htmllib.unescape(svg.group(0))  # bar labels humanised alike


def test_hidden_figures_stay_hidden(jobs: tuple[Env, dict[Any, int]]) -> None:
    env, ids = jobs
    job = ids[("ministry", "shock")]
    admin_pi = _export(env, "admin", ids[("admin", "shock")])["tables"]["summary"][0]["performance impact [RUB]"]
    row = _export(env, "ministry", job)["tables"]["summary"][0]
    page = _get(env, "ministry", f"/jobs/{job}/summary", "ru").text
    kpis = _kpis(page)
    if row["performance impact [RUB]"] is None:
        assert kpis[0] == "скрыто"
        for lang in ("en", "ru"):
            assert units.human(admin_pi, "RUB", lang=lang) not in htmllib.unescape(page)
    from webenv import AVTO_CAPACITY, BRAKE_CAPACITY, BRAKE_PRICE

    for secret in secret_texts((AVTO_CAPACITY, BRAKE_CAPACITY, BRAKE_PRICE)):
        assert secret not in page


def test_every_result_page_links_its_summary(jobs: tuple[Env, dict[Any, int]]) -> None:
    env, ids = jobs
    for kind in KINDS:
        job = ids[("admin", kind)]
        page = _get(env, "admin", f"/jobs/{job}", "ru").text
        if kind == "localisation":  # its page is /localisation, with the stored result of the version
            page = _get(env, "admin", "/localisation?dataset=plant", "ru").text
            job = int(re.findall(r'href="/jobs/(\d+)/summary"', page)[0])
        assert f'href="/jobs/{job}/summary"' in page, kind
        assert "Краткая справка" in page
        assert f'href="/jobs/{job}/summary?format=pdf"' in page


def test_summary_of_a_job_one_may_not_see_is_not_found(jobs: tuple[Env, dict[Any, int]]) -> None:
    env, _ids = jobs
    assert _get(env, "admin", "/jobs/999999/summary", "en").status_code == 404


def test_summary_pdf_in_russian(jobs: tuple[Env, dict[Any, int]]) -> None:
    from importsub.web.services.reports import find_chromium

    if find_chromium() is None:
        pytest.skip("no Chromium")
    pypdf = pytest.importorskip("pypdf")
    env, ids = jobs
    job = ids[("admin", "shock")]
    r = _get(env, "admin", f"/jobs/{job}/summary?format=pdf", "ru")
    assert r.status_code == 200, r.text[:300]
    assert r.headers["content-type"] == "application/pdf"
    reader = pypdf.PdfReader(io.BytesIO(r.content))
    assert 1 <= len(reader.pages) <= 2  # one or two A4 pages
    for page in reader.pages:
        assert abs(float(page.mediabox.width) - 595) < 5  # A4 portrait
    text = re.sub(r"\s+", " ", "\n".join(p.extract_text() for p in reader.pages).replace("\u202f", " "))
    pi = _export(env, "admin", job)["tables"]["summary"][0]["performance impact [RUB]"]
    expected = re.sub(r"\s+", " ", units.human(pi, "RUB", lang="ru").replace("\u202f", " ").replace("\xa0", " "))
    assert expected in text
    assert "Краткая справка" in text
    assert f"стр. 1 из {len(reader.pages)}" in text


def test_russian_xlsx_sheets_headers_and_full_precision(jobs: tuple[Env, dict[Any, int]]) -> None:
    from openpyxl import load_workbook

    env, ids = jobs
    job = ids[("admin", "shock")]
    r = _get(env, "admin", f"/api/jobs/{job}/export?format=xlsx", "ru")
    assert r.status_code == 200
    wb = load_workbook(io.BytesIO(r.content))
    export = _export(env, "admin", job)
    declared = result_tables()
    names = [declared[("shock", t)].label_ru for t in export["tables"]]
    assert wb.sheetnames[: len(names)] == names
    assert wb.sheetnames[len(names) :] == ["Столбцы", "Исходные данные"]
    for tname, sheet in zip(export["tables"], names, strict=True):
        ws = wb[sheet]
        rows = export["tables"][tname]
        if not rows:
            continue
        headers = [c.value for c in ws[1]]
        assert headers == [column(c).heading("ru") for c in rows[0]]
        assert all(re.search("[а-яё]", h, re.IGNORECASE) for h in headers if column(h).declared or h), headers
        for c in rows[0]:  # units in the headers, in Russian
            if split_unit(c)[1] == "RUB":
                assert column(c).heading("ru").endswith("[руб.]"), c
        for i, row in enumerate(rows, start=2):
            for j, value in enumerate(row.values()):
                cell = ws.cell(i, j + 1).value
                if isinstance(value, float):  # a number, every digit (a whole float reads back as an int)
                    assert isinstance(cell, int | float), (tname, i, j, cell)
                    assert cell == value, (tname, i, j, cell, value)
                elif isinstance(value, int) and not isinstance(value, bool):
                    assert cell == value
                    assert not isinstance(cell, str)
    english = load_workbook(io.BytesIO(_get(env, "admin", f"/api/jobs/{job}/export?format=xlsx", "en").content))
    assert english.sheetnames[: len(names)] == list(export["tables"])


@given(st.lists(st.text(min_size=0, max_size=60), min_size=1, max_size=12))
@example(["a" * 30 + "'b", "a" * 30 + "'c"])
def test_sheet_names_are_valid_and_distinct(names: list[str]) -> None:
    used: set[str] = set()
    out = [sheet_name(n, used) for n in names]
    for name in out:
        assert 1 <= len(name) <= 31
        assert not set(name) & set("\\/?*[]:")
        assert not name.startswith("'")
        assert not name.endswith("'")
    assert len({n.casefold() for n in out}) == len(out)


def test_summary_pdf_without_chromium_says_what_is_missing(
    jobs: tuple[Env, dict[Any, int]], monkeypatch: pytest.MonkeyPatch, tmp_path: Any
) -> None:
    env, ids = jobs
    monkeypatch.setenv("IMPORTSUB_CHROMIUM", str(tmp_path / "no-such-browser"))
    r = _get(env, "admin", f"/jobs/{ids[('admin', 'shock')]}/summary?format=pdf", "en")
    assert r.status_code == 503
    assert "Chromium" in r.text
    assert _get(env, "admin", f"/jobs/{ids[('admin', 'shock')]}/summary", "en").status_code == 200  # HTML still
