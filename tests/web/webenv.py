"""Helpers of the web tests: a two-organisation dataset, an app on a store with users of every kind.

The dataset's confidential figures are distinctive numbers (``SECRETS_*``)
so a test can search any response for them: organisation AVTO's supply
shares, organisation BRAKE's supply share, capacities and prices.
"""

from __future__ import annotations

import atexit
import functools
import os
import re
import shutil
import socket
import sqlite3
import tempfile
import threading
import time
from collections.abc import Iterator, Set
from contextlib import closing, contextmanager, suppress
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


def free_port() -> int:
    """A free TCP port on the loopback interface."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextmanager
def serving(app: object, *, lifespan: str = "on") -> Iterator[str]:
    """An ASGI app served by uvicorn on a free loopback port in a thread: yields its base URL, stops on exit.

    The one way the browser and socket tests start a server (through the ``live_server`` fixture)."""
    import uvicorn

    port = free_port()
    srv = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", lifespan=lifespan))  # type: ignore[arg-type]
    thread = threading.Thread(target=srv.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    try:
        while not srv.started:
            assert thread.is_alive(), "server stopped while starting"
            assert time.monotonic() < deadline, "server did not start"
            time.sleep(0.05)
        yield f"http://127.0.0.1:{port}"
    finally:
        srv.should_exit = True
        thread.join(10)


def login(client: TestClient, username: str, password: str = PASSWORD) -> str:
    """Sign in through the form (with its CSRF cookie); returns the session's CSRF token."""
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


# Checks of the browser tests on an open page (run with ``page.evaluate``): :func:`page_problems` runs them at each
# width and :func:`russian_problems` looks for English words; test_browser_layout.py and test_browser_readable.py
# call them (test_browser.py's fixtures open the pages).

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
#: where the browser tests' screenshots go: ``$IMPORTSUB_ARTIFACTS/screenshots`` (default ``artifacts/screenshots``,
#: ignored by git)
SHOTS = Path(os.environ.get("IMPORTSUB_ARTIFACTS") or Path(__file__).resolve().parents[2] / "artifacts") / (
    "screenshots"
)
#: the widths every page is laid out at: a laptop and a phone [px]
WIDTHS = (1366, 390)

#: KPI figures and numeric table cells whose text wraps inside the number (its lines' tops differ)
WRAPPED_NUMBERS = """() => {
  const numeric = /^[−\\-+]?[\\d\\u00a0\\u202f ,.]*\\d[\\d\\u00a0\\u202f ,.%]*(\\u00a0?\\S{1,12}){0,3}$/;
  const out = [];
  document.querySelectorAll(".kpi-value, td, .num").forEach((el) => {
    const text = el.innerText.trim();
    if (!el.offsetParent || !text || !(el.matches(".num, .kpi-value.num, td.n") || numeric.test(text))) return;
    const range = document.createRange();
    range.selectNodeContents(el);
    const tops = new Set(Array.from(range.getClientRects()).filter((r) => r.width > 0).map((r) => Math.round(r.top)));
    if (tops.size > 1) out.push(text);
  });
  return out;
}"""

#: the innermost elements reaching past the viewport's right edge (tables scroll inside their .table-wrap)
WIDE = """() => Array.from(document.querySelectorAll("body *"))
  .filter((el) => el.getBoundingClientRect().right > window.innerWidth + 1 && !el.closest(".table-wrap"))
  .filter((el) => !Array.from(el.children).some((c) => c.getBoundingClientRect().right > window.innerWidth + 1))
  .slice(0, 5).map((el) => el.tagName.toLowerCase() + "." + el.className + ": " + (el.innerText || "").slice(0, 40))"""

#: every drawn chart and the unit its value axis is named with
CHARTS = """() => Array.from(document.querySelectorAll("[data-chart][data-ready='1']"))
  .map((el) => [el.getAttribute("data-chart"), el.getAttribute("data-unit") || ""])"""

#: the links of the navigation (the admin sees every page)
NAV = """() => Array.from(document.querySelectorAll("nav.nav a")).map((a) => a.getAttribute("href"))"""

#: visible charts neither drawn nor replaced by a sentence
UNDRAWN = """() => Array.from(document.querySelectorAll("[data-chart]"))
  .filter((el) => el.offsetParent && el.getAttribute("data-ready") !== "1" && el.getAttribute("data-empty") !== "1")
  .map((el) => el.getAttribute("data-chart"))"""

#: every visible chart and map of the page drawn (or, for a chart, replaced by a sentence): what the checks wait for
SETTLED = """() => Array.from(document.querySelectorAll("[data-chart], [data-map], [data-flow-map]"))
  .every((el) => !el.offsetParent || el.getAttribute("data-ready") === "1" || el.getAttribute("data-empty") === "1")"""

#: resolves three frames later: a resize is laid out, seen by the charts' ResizeObserver and redrawn in the next frame
FRAMES = """() => new Promise((done) => requestAnimationFrame(() => requestAnimationFrame(() => requestAnimationFrame(done))))"""


def settle(pg, timeout: float = 15000) -> None:  # type: ignore[no-untyped-def]
    """Wait until the page open in ``pg`` has drawn its charts and maps, at most ``timeout`` ms (a chart that does
    not draw by then is reported by :func:`page_problems`)."""
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    with suppress(PlaywrightTimeout):
        pg.wait_for_function(SETTLED, timeout=timeout)


def page_problems(  # type: ignore[no-untyped-def]
    pg,
    name: str,
    *,
    widths: tuple[int, ...] = WIDTHS,
    shots: Path = SHOTS,
    prefix: str = "layout",
    settle_ms: float = 15000,
) -> list[str]:
    """The layout problems of the page open in ``pg`` at each of ``widths`` (empty when none), each naming the page
    (``name``) and the width: a drawn chart without a unit on its value axis, a visible chart neither drawn nor
    replaced by a sentence, a number wrapped inside itself, anything past the right edge at 390 px.

    Waits for the page's charts and maps (:func:`settle`, at most ``settle_ms``) and, after each resize, for the charts to redraw (three
    frames), never for a fixed time.  Screenshots in ``shots``: ``{prefix}-{name}-{width}.png``, of the viewport at
    the first width, of the whole page at a width with a problem.  The viewport is left at the first width."""
    problems = []
    settle(pg, settle_ms)
    for i, width in enumerate(widths):
        if pg.viewport_size["width"] != width:
            pg.set_viewport_size({"width": width, "height": 900})
            pg.evaluate(FRAMES)
        found = []
        for chart, unit in pg.evaluate(CHARTS):
            if not unit.strip():
                found.append(f"{name}: chart {chart} has no unit")
        undrawn = pg.evaluate(UNDRAWN)
        if undrawn:
            found.append(f"{name} at {width} px: charts neither drawn nor explained: {undrawn}")
        wrapped = pg.evaluate(WRAPPED_NUMBERS)
        if wrapped:
            found.append(f"{name} at {width} px: numbers wrapped: {wrapped[:5]}")
        if width == 390:
            scroll = pg.evaluate("document.documentElement.scrollWidth")
            if scroll > 391:
                found.append(f"{name} at 390 px: the page is {scroll} px wide: {pg.evaluate(WIDE)}")
        if found or i == 0:
            pg.screenshot(path=str(shots / f"{prefix}-{name}-{width}.png"), full_page=bool(found))
        problems += found
    if pg.viewport_size["width"] != widths[0]:
        pg.set_viewport_size({"width": widths[0], "height": 900})
    return problems


#: abbreviations a Russian page may show as they are (they are the terms' own names in Russian use too)
ALLOWED = {
    "importsub",
    "English",
    "MRL",
    "PI",
    "TTR",
    "TTS",
    "REI",
    "VaR",
    "CVaR",
    "HHI",
    "OEM",
    "ID",
    "HS",
    "Natural",
    "Earth",
    # file formats, by their names
    "xlsx",
    "csv",
    "json",
    "zip",
    "pdf",
}
#: the user names of the browser tests' server (and the author of its versions): names, shown as they are
USERNAMES = {"admin", "avto", "ministry", "test"}
#: columns whose values are translated on the page (enums), not names or codes; a dataset's free text (a
#: scenario's or a rule item's description, a source) is shown as its authors wrote it
TRANSLATED = {"status", "kind", "note", "notes", "unit"}
WORD = r"[A-Za-z][A-Za-z'’]+"

#: the visible text of the page, without code, scripts and what is marked not to be translated
PAGE_WORDS = """() => {
  const skip = "code, script, style, [translate=no], .lang-switch";
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  const parts = [];
  for (let n = walker.nextNode(); n; n = walker.nextNode()) {
    const el = n.parentElement;
    if (el && !el.closest(skip) && el.getClientRects().length) parts.push(n.textContent);
  }
  return parts.join(" ");
}"""


@functools.cache
def names_and_codes() -> frozenset[str]:
    """Every word of the datasets' ids, names and codes (:func:`web_dataset` and the demo): what a Russian page
    may show in Latin letters."""
    from importsub.demo import load as load_demo

    words: set[str] = set()
    for ds in (web_dataset(), load_demo()):
        for frame in ds.tables.values():
            for col, dtype in frame.schema.items():
                if dtype == pl.Utf8 and col not in TRANSLATED:
                    for value in frame[col].drop_nulls().to_list():
                        words.update(re.findall(WORD, value))
                        words.update(re.findall(r"[A-Za-z]+", value))
    return frozenset(words)


def english_words(text: str, allowed: Set[str]) -> list[str]:
    """The words of ``text`` in Latin letters that are neither codes (all capitals, or with a digit), nor in
    ``allowed``, nor in :data:`ALLOWED`."""
    found = []
    for word in re.findall(WORD, text):
        is_code = word.isupper() or bool(re.search(r"\d", word))
        if not is_code and word not in allowed and word not in ALLOWED:
            found.append(word)
    return sorted(set(found))


def russian_problems(  # type: ignore[no-untyped-def]
    pg,
    name: str,
    allowed: Set[str],
    *,
    known: Set[str] = frozenset(),
    shots: Path = SHOTS,
    prefix: str = "readable",
) -> list[str]:
    """The English words of the Russian page open in ``pg`` (:func:`english_words`: outside ``allowed``, e.g.
    :func:`names_and_codes`), as one problem naming the page; its visible text goes to ``{prefix}-{name}.txt`` in
    ``shots``.  ``known``: English words the page is known to show (a defect reported, not yet fixed): not a
    problem while shown, a problem once gone (so that the exception goes with the fix)."""
    text = pg.evaluate(PAGE_WORDS)
    (shots / f"{prefix}-{name}.txt").write_text(text, encoding="utf-8")
    words = english_words(text, allowed)
    problems = []
    if set(words) - known:
        problems.append(f"{name}: English on a Russian page: {sorted(set(words) - known)}")
    if known - set(words):
        problems.append(f"{name}: no longer shows {sorted(known - set(words))}: remove the known exception")
    return problems
