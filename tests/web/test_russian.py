"""Russian throughout (issue 13): record fields, codes, roles and validation messages on Russian pages; the
language switch keeps the page's query.

Every Russian text checked here comes from its one declaration (the schema's ``label_ru``/``description_ru``/
``choices_ru``, the validation messages of :mod:`importsub.model.messages`, the web catalogue); the tests compare a page with those
declarations and with the English page, so a page that ignored the language would fail.
"""

from __future__ import annotations

import html
import io
import re
from pathlib import Path

import openpyxl
from fastapi.testclient import TestClient
from webenv import Env, login, web_dataset

from importsub.io import write_path
from importsub.model.schema import PROJECT_STATUSES, PROJECT_STATUSES_RU, table


def _client(env: Env, who: str = "admin", lang: str = "ru") -> tuple[TestClient, str]:
    c = TestClient(env.client.app, base_url="http://testserver")
    csrf = login(c, who)
    r = c.post("/language", data={"lang": lang, "csrf_token": csrf, "next": "/"}, follow_redirects=False)
    assert r.status_code == 303
    return c, csrf


def _headers(page: str) -> list[str]:
    """The records table's column headers (text of each ``<th data-col>``), without tags."""
    cells = re.findall(r'<th data-col="[^"]+"[^>]*>(.*?)</th>', page, flags=re.DOTALL)
    return [html.unescape(re.sub(r"<[^>]+>", "", c)).strip() for c in cells]


def test_the_language_switch_returns_to_the_page_with_its_query(shared_env: Env) -> None:
    c, csrf = _client(shared_env, lang="en")
    url = "/datasets/plant/records/sites?q=minsk&sort=-lat"
    page = c.get(url).text
    nxt = re.search(r'<input type="hidden" name="next" value="([^"]+)">', page)
    assert nxt
    assert html.unescape(nxt.group(1)) == url
    r = c.post("/language", data={"lang": "ru", "csrf_token": csrf, "next": html.unescape(nxt.group(1))},
               follow_redirects=False)  # fmt: skip
    assert r.status_code == 303
    assert r.headers["location"] == url
    assert '<html lang="ru">' in c.get(r.headers["location"]).text
    # another site is never a target
    r = c.post("/language", data={"lang": "en", "csrf_token": csrf, "next": "//evil.example/?x=1"},
               follow_redirects=False)  # fmt: skip
    assert r.headers["location"] == "/"


def test_record_pages_name_fields_and_tables_in_russian(shared_env: Env) -> None:
    ru, _ = _client(shared_env, lang="ru")
    en, _ = _client(shared_env, who="ministry", lang="en")
    for name in ("sites", "supply_links", "production", "organizations", "projects"):
        rt = table(name)
        page_ru = ru.get(f"/datasets/plant/records/{name}").text
        page_en = en.get(f"/datasets/plant/records/{name}").text
        headers_ru, headers_en = _headers(page_ru), _headers(page_en)
        assert len(headers_ru) == len(rt.fields), name
        for f, h_ru, h_en in zip(rt.fields, headers_ru, headers_en, strict=True):
            assert h_ru.startswith(f.label_ru), (name, f.name, h_ru)
            assert h_en.startswith(f.name), (name, f.name, h_en)  # English keeps the import header
            assert f'title="{html.escape(f.description_ru, quote=True)}"' in page_ru
        assert html.escape(rt.description_ru, quote=False) in page_ru
        assert f"<h1>{rt.label_ru} " in page_ru
        assert f"<h1>{rt.label} " in page_en
        # sorting and filtering still name fields by their codes (what the query string carries)
        assert f'<option value="{rt.fields[0].name}"' in page_ru
    # units in Russian beside the label
    assert "[нед.]" in ru.get("/datasets/plant/records/production").text


def test_codes_are_shown_translated_and_submitted_as_codes(shared_env: Env) -> None:
    ru, _ = _client(shared_env, lang="ru")
    page = ru.get("/datasets/plant/records/organizations").text
    kinds = table("organizations").field("kind")
    assert kinds.choices_ru
    shown = re.findall(r'<span data-code="([a-z]+)">([^<]+)</span>', page)
    assert shown, "no enumeration cell"
    for code, label in shown:
        assert label == kinds.choices_ru[kinds.choices.index(code)]
    # the edit form: a select whose values are the codes, labelled in Russian
    edit = _client(shared_env, who="avto", lang="ru")[0].get("/datasets/plant/records/projects/edit").text
    options = dict(re.findall(r'<option value="([a-z-]+)"(?: selected)?>([^<]+)</option>', edit))
    for code, label in zip(PROJECT_STATUSES, PROJECT_STATUSES_RU, strict=True):
        assert options.get(code) == label, (code, options)
    # project pages: the status in Russian, the code only in the class
    projects = ru.get("/projects?dataset=plant").text
    assert "планируется" in projects
    assert re.search(r">\s*planned\s*<", projects) is None


def test_roles_in_russian_on_the_users_and_settings_pages(shared_env: Env) -> None:
    ru, _ = _client(shared_env, lang="ru")
    users = ru.get("/admin/users").text
    assert '<option value="analyst">аналитик (редактирует данные своей организации)</option>' in users or (
        re.search(r'<option value="analyst"[^>]*>аналитик', users)
    )
    assert re.search(r'<option value="viewer"[^>]*>наблюдатель', users)
    settings = ru.get("/settings").text
    assert "<dd>администратор</dd>" in settings
    en, _ = _client(shared_env, lang="en")
    assert "<dd>administrator</dd>" in en.get("/settings").text


def test_schema_api_gives_the_russian_beside_the_english(shared_env: Env) -> None:
    body = shared_env.get("viewer", "/api/schema").json()
    sites = next(t for t in body if t["name"] == "sites")
    assert (sites["label"], sites["label_ru"]) == ("Sites", "Площадки")
    assert sites["description_ru"] == table("sites").description_ru
    lat = next(f for f in sites["fields"] if f["name"] == "lat")
    assert (lat["label_ru"], lat["description_ru"]) == ("Широта", "Широта (WGS 84)")
    kind = next(f for f in next(t for t in body if t["name"] == "organizations")["fields"] if f["name"] == "kind")
    assert kind["choices"] == ["oem", "supplier", "research", "authority"]
    assert kind["choices_ru"] == list(table("organizations").field("kind").choices_ru or ())


def test_upload_problems_in_russian_with_where_they_are(shared_env: Env, tmp_path: Path) -> None:
    path = tmp_path / "plant.xlsx"
    write_path(web_dataset(), path)
    wb = openpyxl.load_workbook(path)
    ws = wb["sites"]
    lat = [c.value for c in ws[1]].index("lat") + 1
    ws.cell(row=ws.max_row, column=lat, value=123.0)
    kind = [c.value for c in wb["organizations"][1]].index("kind") + 1
    wb["organizations"].cell(row=4, column=kind, value="bank")
    buf = io.BytesIO()
    wb.save(buf)
    files = {"file": ("plant.xlsx", buf.getvalue())}
    ru, csrf = _client(shared_env, lang="ru")
    r = ru.post("/upload", data={"dataset": "plant", "csrf_token": csrf}, files=files)
    assert r.status_code == 422
    text = html.unescape(r.text)
    row = f'<tr><td>plant.xlsx</td><td>sites</td><td class="n">{ws.max_row}</td><td>lat</td><td>должно быть ≤ 90°, получено 123'
    assert row in text
    assert '<td>organizations</td><td class="n">4</td><td>kind</td><td>bank — не из списка: oem, supplier' in text
    en, csrf_en = _client(shared_env, lang="en")
    text_en = html.unescape(en.post("/upload", data={"dataset": "plant", "csrf_token": csrf_en}, files=files).text)
    assert (
        "<td>lat</td><td>must be &lt;= 90°, got 123" in text_en or "<td>lat</td><td>must be <= 90°, got 123" in text_en
    )


def test_local_names_swap_only_where_the_id_is_beside_the_name() -> None:
    import polars as pl

    from importsub.web.i18n import reset_language, set_language
    from importsub.web.services.local_names import local_names

    ds = web_dataset()
    tables = {
        "nodes": pl.DataFrame(
            {
                "site": ["AVTO-TLT", "FORE-1", "NOWHERE"],
                "site name": ["Togliatti", "Brake plant DE-1", "?"],
                "part": ["CAR", "BRK", "PAD"],
                "part name": ["Passenger car", "Brake unit", "Brake pad"],
            }
        ),
        "no ids": pl.DataFrame({"site name": ["Togliatti"]}),
    }
    token = set_language("ru")
    try:
        out = local_names(tables, ds)
    finally:
        reset_language(token)
    # an independent lookup: name_local where the dataset has one, else the name as it was
    local = {r["id"]: r["name_local"] for t in ("sites", "parts") for r in ds.tables[t].iter_rows(named=True)}
    for col, id_col in (("site name", "site"), ("part name", "part")):
        expected = [local.get(i) or n for i, n in zip(tables["nodes"][id_col], tables["nodes"][col], strict=True)]
        assert out["nodes"][col].to_list() == expected
    assert out["nodes"]["site name"].to_list() == ["Тольятти", "Brake plant DE-1", "?"]
    assert out["nodes"].columns == tables["nodes"].columns
    assert out["no ids"].equals(tables["no ids"])
    assert local_names(tables, ds) is tables  # English pages: untouched


def test_pages_show_local_names_in_russian(env: Env) -> None:
    r = env.post("admin", "/api/analyses/sweep?dataset=plant", json={"weeks": 8})
    assert r.status_code in (200, 202), r.text
    env.run_jobs()
    job = r.json()["id"]
    ru, _ = _client(env, lang="ru")
    en, _ = _client(env, who="ministry", lang="en")
    result_ru, result_en = ru.get(f"/jobs/{job}").text, en.get(f"/jobs/{job}").text
    assert "Тольятти" in result_ru
    assert "Тольятти" not in result_en
    assert "Togliatti" in result_en
    explorer = ru.get("/explorer?vehicle=AVTO-TLT|CAR").text
    assert "Легковой автомобиль" in explorer
    assert "Тормозная колодка" in explorer
    overview = ru.get("/").text
    assert "Автозавод" in overview  # the vehicles chart's OEM label
    assert "Автозавод" not in en.get("/").text
    # a programme table: project statuses in Russian (the web dataset's one project is planned)
    r = env.post("admin", "/api/analyses/programme?dataset=plant", json={})
    assert r.status_code in (200, 202), r.text
    env.run_jobs()
    programme = ru.get(f"/jobs/{r.json()['id']}").text
    assert "<td>планируется</td>" in programme
    assert "<td>planned</td>" not in programme
    assert "<td>planned</td>" in en.get(f"/jobs/{r.json()['id']}").text
    # the programme's size in the page's language, on its page and in its executive summary
    assert "опубликовано 1 из 1" in programme
    assert "1 of 1 public" not in programme
    assert "1 of 1 public" in en.get(f"/jobs/{r.json()['id']}").text
    summary_ru = ru.get(f"/jobs/{r.json()['id']}/summary").text
    assert "опубликовано 1 из 1" in summary_ru
    assert "1 of 1 public" not in summary_ru
    assert "1 of 1 public" in en.get(f"/jobs/{r.json()['id']}/summary").text
    # its tables by their declared Russian names (result_table_names.csv), English names on English pages
    assert "<h2>Вехи</h2>" in programme
    assert "<h2>milestones</h2>" not in programme
    assert "<h2>milestones</h2>" in en.get(f"/jobs/{r.json()['id']}").text
    states = re.findall(
        r"<td>(выполнен в срок|выполнен с опозданием|просрочен|открыт|done on time|done late|overdue|open)</td>",
        programme,
    )
    assert states, "no milestone state shown"
    assert all(re.search("[а-я]", st) for st in states), states
