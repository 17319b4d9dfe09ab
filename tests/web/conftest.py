"""Fixtures of the web tests (helpers in ``webenv.py``)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import ExitStack
from pathlib import Path

import pytest
from webenv import CHROMIUM, CHROMIUM_ARGS, Env, make_env, serving


@pytest.fixture
def env(tmp_path: Path) -> Iterator[Env]:
    """A fresh app on a SQLite store (each test may write)."""
    yield from make_env(str(tmp_path / "web.sqlite"))


@pytest.fixture(scope="module")
def shared_env(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Env]:
    """One app for the read-only tests of a module."""
    yield from make_env(str(tmp_path_factory.mktemp("web") / "web.sqlite"))


@pytest.fixture(scope="module")
def live_server() -> Iterator[Callable[..., str]]:
    """Serve an ASGI app over a real socket (uvicorn on a free loopback port): ``live_server(app)`` returns
    its base URL; every server started so stops when the module's tests are done."""
    with ExitStack() as stack:
        yield lambda app, lifespan="on": stack.enter_context(serving(app, lifespan=lifespan))


@pytest.fixture(scope="module")
def chromium() -> Iterator[object]:
    """Debian's chromium (headless) driven by Playwright, launched once for a module's browser tests (each test
    opens its own context: ``test_browser.py``'s ``page``).  Skipped without it, except under CI."""
    import os

    if not os.path.exists(CHROMIUM):
        if os.environ.get("CI"):
            pytest.fail(f"{CHROMIUM} is required under CI")
        pytest.skip(f"{CHROMIUM} not installed")
    sync_api = pytest.importorskip("playwright.sync_api")
    with sync_api.sync_playwright() as p:
        launched = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        yield launched
        launched.close()
