"""The page context: one transaction per request, begun on first use, committed or rolled back with the request."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable, Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient
from webenv import Env, login, web_dataset

from importsub.store import Store, accounts
from importsub.web.deps import PageContext, get_page
from importsub.web.services.catalogue import build_analyses


def _page(store: Store) -> AsyncIterator[PageContext]:
    """get_page as FastAPI drives it: up to the yield for the handler, then closed (or thrown into)."""
    user = accounts.User(
        id=1, username="u", display_name=None, role="admin", organization=None, language=None,
        active=True, must_change_password=False, created_at=None,  # type: ignore[arg-type]
    )  # fmt: skip
    return get_page(None, user, None, None, store, None, build_analyses(), None)  # type: ignore[arg-type]


def _request(store: Store, handler: Callable[[PageContext], object], fail: BaseException | None = None) -> None:
    """One request's life of the page context: the handler runs on it, then it is closed (or ``fail`` is
    thrown into it, as FastAPI does when the handler raised)."""

    async def run() -> None:
        gen = _page(store)
        handler(await anext(gen))
        if fail is not None:
            await gen.athrow(fail)
        with pytest.raises(StopAsyncIteration):
            await anext(gen)

    asyncio.run(run())


def _count(store: Store) -> int:
    with store.engine.connect() as conn:
        return int(conn.execute(sa.text("select count(*) from t")).scalar_one())


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    s = Store(str(tmp_path / "deps.sqlite"))
    with s.engine.begin() as conn:
        conn.execute(sa.text("create table t (x integer)"))
    yield s
    s.engine.dispose()


def test_a_page_that_writes_commits_when_it_returns(store: Store) -> None:
    def handler(page: PageContext) -> None:
        page.conn.execute(sa.text("insert into t values (1)"))
        assert page.conn is page.conn  # one transaction per request

    _request(store, handler)
    assert _count(store) == 1


def test_a_page_that_fails_writes_nothing(store: Store) -> None:
    with pytest.raises(RuntimeError):
        _request(store, lambda page: page.conn.execute(sa.text("insert into t values (1)")), RuntimeError("failed"))
    assert _count(store) == 0


def test_a_page_that_reads_nothing_opens_no_connection(store: Store) -> None:
    opened: list[object] = []
    sa.event.listen(store.engine, "engine_connect", opened.append)
    _request(store, lambda page: None)
    assert opened == []
    _request(store, lambda page: page.conn.execute(sa.text("select 1")))
    assert len(opened) == 1


def test_the_dataset_picker_of_a_page(env: Env) -> None:
    """?dataset= names the dataset shown; an unknown one is a 404 page naming it; without it, the first."""
    env.store.write_dataset(web_dataset("zeta"), note="second dataset", created_by="test")
    client: TestClient = env.client
    login(client, "admin")
    assert '<option value="plant" selected>' in client.get("/shocks").text
    picked = client.get("/shocks?dataset=zeta").text
    assert '<option value="zeta" selected>' in picked
    assert '<option value="plant" >' in picked
    missing = client.get("/shocks?dataset=nowhere")
    assert missing.status_code == 404
    assert "nowhere" in missing.text
    assert client.get("/shocks?dataset=" + "x" * 101).status_code == 422
