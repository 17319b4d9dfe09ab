"""All result tables in one CSV zip: the same tables, rows and columns as the JSON export, as the viewer sees them."""

from __future__ import annotations

import io
import json
import zipfile

import polars as pl
from webenv import Env


def test_zip_holds_every_table_as_the_json_export(env: Env) -> None:
    job = env.post("ministry", "/api/analyses/summary?dataset=plant", json={}).json()
    env.run_jobs()
    r = env.get("ministry", f"/api/jobs/{job['id']}/export?format=zip")
    assert r.status_code == 200
    assert r.headers["content-type"] == "application/zip"
    assert r.headers["content-disposition"].endswith('.zip"')
    tables = json.loads(env.get("ministry", f"/api/jobs/{job['id']}/export?format=json").content)["tables"]
    with zipfile.ZipFile(io.BytesIO(r.content)) as zf:
        names = set(zf.namelist())
        assert names == {f"{t}.csv" for t in tables} | {"fingerprint.json"}
        fingerprint = json.loads(zf.read("fingerprint.json"))
        assert fingerprint
        for t, rows in tables.items():
            raw = zf.read(f"{t}.csv")
            assert raw.startswith("\ufeff".encode())  # spreadsheets read UTF-8 (Cyrillic) right
            df = pl.read_csv(io.BytesIO(raw[3:]))
            assert df.height == len(rows), t
            if rows:
                assert df.columns == list(rows[0]), t


def test_pdf_fits_a4_with_key_columns_and_page_numbers_in_russian(env: Env) -> None:
    import pytest
    from webenv import PARAMS

    from importsub.model.results import result_tables
    from importsub.web.services.reports import PAPER_COLUMNS, find_chromium

    if find_chromium() is None:
        pytest.skip("no Chromium")
    pypdf = pytest.importorskip("pypdf")
    job = env.post("ministry", "/api/analyses/shock?dataset=plant", json=PARAMS["shock"]).json()
    env.run_jobs()
    ru = {"Accept-Language": "ru", **env.auth("ministry")}
    tables = json.loads(env.client.get(f"/api/jobs/{job['id']}/export?format=json", headers=ru).content)["tables"]
    wide = [t for t, rows in tables.items() if rows and len(rows[0]) > PAPER_COLUMNS]
    assert wide, "the shock result has a table wider than a page"
    declared = result_tables()
    html = env.client.get(f"/api/jobs/{job['id']}/export?format=html", headers=ru).text
    assert "counter(page)" not in html  # the screen report is whole, unnumbered
    r = env.client.get(f"/api/jobs/{job['id']}/export?format=pdf", headers=ru)
    assert r.status_code == 200, r.text[:300]
    reader = pypdf.PdfReader(io.BytesIO(r.content))
    text = "\n".join(page.extract_text() for page in reader.pages)
    pages = len(reader.pages)
    assert f"стр. 1 из {pages}" in text
    assert f"стр. {pages} из {pages}" in text
    assert "Только ключевые столбцы" in text
    for page in reader.pages:  # A4 portrait
        assert abs(float(page.mediabox.width) - 595) < 5
    assert any(declared.get(("shock", t)) and declared[("shock", t)].terminal for t in wide)
