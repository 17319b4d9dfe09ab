"""Helpers of the web tests: a two-organisation dataset, an app on a store with users of every kind.

The dataset's confidential figures are distinctive numbers (``SECRETS_*``)
so a test can search any response for them: organisation AVTO's supply
shares, organisation BRAKE's supply share, capacities and prices.
"""

from __future__ import annotations

import atexit
import shutil
import sqlite3
import tempfile
from collections.abc import Iterator
from contextlib import closing
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import polars as pl
from fastapi.testclient import TestClient

from importsub.model.dataset import Dataset
from importsub.model.validate import check
from importsub.store import Store, accounts
from importsub.web import Settings, create_app
from importsub.web.services.analyses import Analyses

PASSWORD = "correct horse battery"  # test accounts only

# confidential figures owned by AVTO (buyer site AVTO-TLT; its production)
AVTO_SHARES = (0.6137, 0.3863)
AVTO_CAPACITY = 123457.0
AVTO_PRICE = 987654.0
# confidential figures owned by BRAKE (buyer site BRAKE-MSK; its production, pool and stock)
BRAKE_SHARES = (0.7171, 0.2829)
BRAKE_CAPACITY = 512345.0
BRAKE_PRICE = 20011.25
BRAKE_POOL = 654321.0
BRAKE_STOCK = 4321.5


def secret_texts(values: tuple[float, ...]) -> list[str]:
    """How a figure could appear in a response: JSON/CSV, English and Russian number formats."""
    out = []
    for v in values:
        text = repr(v)
        out.append(text[:-2] if text.endswith(".0") else text)
        whole, _, frac = f"{v:,.2f}".partition(".")
        frac = frac.rstrip("0")
        out.append(whole + ("." + frac if frac else ""))
        out.append(whole.replace(",", "\u00a0") + ("," + frac if frac else ""))
    return sorted(set(out))


def share_texts(shares: tuple[float, ...]) -> list[str]:
    """How a share could appear: as a fraction, or in per cent with 2 decimals (English and Russian)."""
    out = []
    for s in shares:
        out.append(repr(s))
        for digits in (2,):
            pct = f"{100 * s:.{digits}f}"
            out += [pct, pct.replace(".", ",")]
    return sorted(set(out))


SECRETS_OF_AVTO = share_texts(AVTO_SHARES) + secret_texts((AVTO_CAPACITY, AVTO_PRICE))
SECRETS_OF_BRAKE = share_texts(BRAKE_SHARES) + secret_texts((BRAKE_CAPACITY, BRAKE_PRICE, BRAKE_POOL, BRAKE_STOCK))


def web_frames(*, avto_shares: tuple[float, float] = AVTO_SHARES) -> dict[str, pl.DataFrame]:
    """A car at Togliatti (AVTO, RU) with brakes from Minsk (BRAKE, BY) and Germany (FORE, DE);
    the Minsk brakes need pads from Germany and China."""
    return {
        "countries": pl.DataFrame(
            {
                "iso2": ["RU", "BY", "DE", "CN"],
                "name": ["Russia", "Belarus", "Germany", "China"],
                "name_local": ["Россия", "Беларусь", "Германия", "Китай"],
            }
        ),
        "country_groups": pl.DataFrame(
            {"group": ["union", "union", "external", "external"], "iso2": ["RU", "BY", "DE", "CN"]}
        ),
        "organizations": pl.DataFrame(
            {
                "id": ["AVTO", "BRAKE", "FORE", "PADCN"],
                "name": ["Avto plant", "Brake maker BY", "Brake maker DE-1", "Pad maker CN-1"],
                "name_local": ["Автозавод", "Тормоза Минск", None, None],
                "country": ["RU", "BY", "DE", "CN"],
                "kind": ["oem", "supplier", "supplier", "supplier"],
            }
        ),
        "sites": pl.DataFrame(
            {
                "id": ["AVTO-TLT", "BRAKE-MSK", "FORE-1", "PAD-CN"],
                "organization": ["AVTO", "BRAKE", "FORE", "PADCN"],
                "name": ["Togliatti", "Minsk brakes", "Brake plant DE-1", "Pad plant CN-1"],
                "name_local": ["Тольятти", "Минск", None, None],
                "country": ["RU", "BY", "DE", "CN"],
                "lat": [53.51, 53.90, 48.78, 31.23],
                "lon": [49.42, 27.56, 9.18, 121.47],
            }
        ),
        "parts": pl.DataFrame(
            {
                "id": ["CAR", "BRK", "PAD"],
                "name": ["Passenger car", "Brake unit", "Brake pad"],
                "name_local": ["Легковой автомобиль", "Тормозной узел", "Тормозная колодка"],
                "category": ["vehicle", "braking", "braking"],
                "unit_value": [1_000_000.0, 21_000.0, 900.0],
            }
        ),
        "bom": pl.DataFrame({"parent": ["CAR", "BRK"], "child": ["BRK", "PAD"], "quantity": [4.0, 8.0]}),
        "capacity_pools": pl.DataFrame({"site": ["BRAKE-MSK"], "pool": ["L1"], "capacity": [BRAKE_POOL]}),
        "production": pl.DataFrame(
            {
                "site": ["AVTO-TLT", "BRAKE-MSK", "FORE-1", "FORE-1", "PAD-CN"],
                "part": ["CAR", "BRK", "BRK", "PAD", "PAD"],
                "capacity": [AVTO_CAPACITY, BRAKE_CAPACITY, 800_000.0, 9_000_000.0, 7_000_000.0],
                "unit_value": [AVTO_PRICE, BRAKE_PRICE, 22_000.0, 950.0, 800.0],
                "pool": [None, "L1", None, None, None],
            }
        ),
        "inventory": pl.DataFrame({"site": ["BRAKE-MSK"], "part": ["PAD"], "units": [BRAKE_STOCK]}),
        "supply_links": pl.DataFrame(
            {
                "buyer": ["AVTO-TLT", "AVTO-TLT", "BRAKE-MSK", "BRAKE-MSK"],
                "part": ["BRK", "BRK", "PAD", "PAD"],
                "supplier": ["BRAKE-MSK", "FORE-1", "FORE-1", "PAD-CN"],
                "share": [avto_shares[0], avto_shares[1], BRAKE_SHARES[0], BRAKE_SHARES[1]],
            }
        ),
        "demand": pl.DataFrame(
            {"site": ["AVTO-TLT"], "part": ["CAR"], "year": [2025], "units": [100_000.0], "margin": [150_000.0]}
        ),
        "projects": pl.DataFrame(
            {
                "id": ["P-BRAKE"],
                "name": ["Braking systems"],
                "name_local": ["Тормозные системы"],
                "host_site": [None],
                "capex": [1.5e9],
                "status": ["planned"],
                "mrl": [4],
            },
            schema_overrides={"host_site": pl.String},
        ),
        "project_outputs": pl.DataFrame({"project": ["P-BRAKE"], "part": ["BRK"], "capacity": [200_000.0]}),
        "project_rampup": pl.DataFrame(
            {"project": ["P-BRAKE", "P-BRAKE"], "year": [2026, 2027], "fraction": [0.3, 1.0]}
        ),
        "milestones": pl.DataFrame(
            {
                "project": ["P-BRAKE", "P-BRAKE"],
                "name": ["financing", "line installed"],
                "due": [date(2025, 3, 31), date(2026, 6, 30)],
                "done": [date(2025, 4, 15), None],
            },
            schema_overrides={"done": pl.Date},
        ),
        "scenarios": pl.DataFrame({"name": ["de-8w"], "description": ["Germany stops for 8 weeks"], "year": [2025]}),
        "disruptions": pl.DataFrame(
            {"scenario": ["de-8w"], "target_kind": ["country"], "target": ["DE"], "severity": [1.0], "duration": [8.0]}
        ),
    }


def web_dataset(name: str = "plant", **kw: object) -> Dataset:
    return check(Dataset.from_frames(name, web_frames(**kw)))  # type: ignore[arg-type]


@dataclass
class Env:
    """A running app (TestClient) with its store and tokens of each kind of user."""

    client: TestClient
    store: Store
    tokens: dict[str, str]
    users: dict[str, accounts.User]

    def auth(self, who: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.tokens[who]}"}

    def get(self, who: str, url: str, **kw: object):  # type: ignore[no-untyped-def]
        return self.client.get(url, headers=self.auth(who), **kw)  # type: ignore[arg-type]

    def post(self, who: str, url: str, **kw: object):  # type: ignore[no-untyped-def]
        return self.client.post(url, headers=self.auth(who), **kw)  # type: ignore[arg-type]

    @property
    def analyses(self) -> Analyses:
        """The app's analysis registry (``app.state.analyses``)."""
        return self.client.app.state.analyses  # type: ignore[attr-defined,no-any-return]

    def run_jobs(self) -> int:
        runner = self.client.app.state.runner  # type: ignore[attr-defined]
        n = 0
        while runner.run_next():
            n += 1
        return n


USERS = {
    # name: (role, organisation)
    "admin": ("admin", None),
    "avto": ("analyst", "AVTO"),
    "brake": ("analyst", "BRAKE"),
    "ministry": ("programme", None),
    "viewer": ("viewer", "AVTO"),
}


@dataclass
class _Template:
    """A store as ``make_env`` first built it (SQLite file, users, token secrets), copied for the next test."""

    path: Path
    users: dict[str, accounts.User]
    tokens: dict[str, str]


_TEMPLATES: dict[int, _Template] = {}


def _build_store(
    db: str, versions: int, dataset: Dataset | None
) -> tuple[Store, dict[str, accounts.User], dict[str, str]]:
    store = Store(db)
    store.write_dataset(dataset if dataset is not None else web_dataset(), note="first", created_by="test")
    if versions >= 2:  # AVTO revises its shares: a diff must not show them to others
        store.write_dataset(
            web_dataset(avto_shares=(0.7137, 0.2863)), name="plant", note="new shares", created_by="test"
        )
    tokens = {}
    users = {}
    with store.engine.begin() as conn:
        for name, (role, org) in USERS.items():
            users[name] = accounts.create_user(conn, username=name, password=PASSWORD, role=role, organization=org)
            tokens[name], _ = accounts.create_api_token(conn, user_id=users[name].id, name="test")
    return store, users, tokens


def _store_for(
    db: str, versions: int, dataset: Dataset | None
) -> tuple[Store, dict[str, accounts.User], dict[str, str]]:
    """The store of a test: built, or for an SQLite file with the standard dataset a copy of the one built
    first (argon2 hashes of five users cost seconds on a loaded machine; the copy holds the same rows)."""
    if dataset is not None or "://" in db or Path(db).exists():  # a URL, another dataset, a store made by the test
        return _build_store(db, versions, dataset)
    template = _TEMPLATES.get(versions)
    if template is None:
        path = Path(tempfile.mkdtemp(prefix="importsub-webenv-")) / "template.sqlite"
        atexit.register(shutil.rmtree, path.parent, True)
        store, users, tokens = _build_store(str(path), versions, None)
        store.engine.dispose()
        template = _TEMPLATES[versions] = _Template(path, users, tokens)
    with closing(sqlite3.connect(template.path)) as src, closing(sqlite3.connect(db)) as dst:
        src.backup(dst)
    return Store(db), dict(template.users), dict(template.tokens)


def make_env(
    db: str, *, versions: int = 2, settings: Settings | None = None, dataset: Dataset | None = None
) -> Iterator[Env]:
    store, users, tokens = _store_for(db, versions, dataset)
    app = create_app(settings or Settings(db=db, worker=False), store=store)
    with TestClient(app, base_url="http://testserver") as client:
        yield Env(client, store, tokens, users)
    store.engine.dispose()


def login(client: TestClient, username: str, password: str = PASSWORD) -> str:
    """Sign in through the form (with its CSRF cookie); returns the session's CSRF token."""
    import re

    page = client.get("/login")
    token = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
    assert token, page.text[:500]
    r = client.post(
        "/login",
        data={"username": username, "password": password, "csrf_token": token.group(1), "next": "/"},
        follow_redirects=False,
    )
    assert r.status_code == 303, r.text[:500]
    home = client.get("/settings")
    m = re.search(r'name="csrf_token" value="([^"]+)"', home.text)
    assert m
    return m.group(1)


# parameters of the kinds that need some (the others run with their defaults)
PARAMS: dict[str, dict[str, object]] = {
    # Germany down and Minsk brakes at half capacity: binding constraints at every organisation
    "shock": {"scenario": "de-8w", "target_kind": "site", "target": "BRAKE-MSK", "severity": 0.5, "weeks": 8},
    "sweep": {"weeks": 8, "tts": True},
    "montecarlo": {"runs": 2000, "site_probability": 0.05},
    "project": {"project": "P-BRAKE"},
    "portfolio": {"budget": 2e9, "objective": "localisation", "steps": 3},
    "simulate": {"scenario": "de-8w", "weeks": 8},
}


def api_urls(env: Env, job_ids: dict[str, int], *, pdf: bool = False) -> Iterator[str]:
    """Every GET route of the OpenAPI document with its parameters filled, plus searches on hidden fields.

    ``pdf``: also each result's PDF report (Chromium prints it, about a second each: asked for one viewer).
    """
    spec = env.client.get("/openapi.json").json()
    for path, ops in spec["paths"].items():
        if "get" not in ops:
            continue
        urls = [path.replace("{job_id}", str(j)) for j in job_ids.values()] if "{job_id}" in path else [path]
        for url in urls:
            url = url.replace("{name}", "plant").replace("{scenario}", "de-8w").replace("{project}", "P-BRAKE")
            url = url.replace("{user_id}", str(env.users["avto"].id)).replace("{version}", "1")
            if "{" in url:
                raise AssertionError(f"unfilled path parameter in {url}")
            yield url
            if url.endswith("/export") and "/jobs/" in url:
                for fmt in ("xlsx", "json", "csv", "html", "zip", *(("pdf",) if pdf else ())):
                    yield f"{url}?format={fmt}"
            elif url.endswith("/export"):
                for fmt in ("xlsx", "json", "csv"):
                    yield f"{url}?format={fmt}"
                    yield f"{url}?format={fmt}&version=1"
            if "/records/" in url or url.endswith(("/diff", "/scenarios", "/projects")):
                yield f"{url}?version=1"
    for table, field in (
        ("supply_links", "share"),
        ("production", "capacity"),
        ("production", "unit_value"),
        ("capacity_pools", "capacity"),
        ("inventory", "units"),
    ):
        base = f"/api/datasets/plant/records/{table}"
        yield f"{base}?sort={field}"
        yield f"{base}?sort=-{field}"
        for value in ("0.6137", "0.7137", "0.7171", "512345.0", "20011.25", "4321.5", "123457.0"):
            yield f"{base}?where={field}={value}"
            yield f"{base}?q={value}"
    yield "/api/datasets/plant/diff?a=1&b=2"


def run_every_analysis(env: Env) -> dict[str, int]:
    """Every registered analysis run once (by the admin) on the latest version of ``plant``: job id by kind."""
    ids = {}
    for kind in env.analyses:
        r = env.post("admin", f"/api/analyses/{kind}?dataset=plant", json=PARAMS.get(kind, {}))
        assert r.status_code in (200, 202), r.text
        ids[kind] = r.json()["id"]
    env.run_jobs()
    return ids
