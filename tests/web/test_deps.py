"""The page context: one transaction per request, begun on first use, committed or rolled back with the request."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient
from webenv import Env, login, web_dataset

from importsub.store import Store, accounts
from importsub.web.deps import PageContext, get_page
from importsub.web.services.catalogue import build_analyses


def _page(store: Store) -> Iterator[PageContext]:
    """get_page as FastAPI drives it: up to the yield for the handler, then closed (or thrown into)."""
    user = accounts.User(
        id=1, username="u", display_name=None, role="admin", organization=None, language=None,
        active=True, must_change_password=False, created_at=None,  # type: ignore[arg-type]
    )  # fmt: skip
    return get_page(None, user, None, None, store, None, build_analyses(), None)  # type: ignore[arg-type]


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
    gen = _page(store)
    page = next(gen)
    page.conn.execute(sa.text("insert into t values (1)"))
    assert page.conn is page.conn  # one transaction per request
    with pytest.raises(StopIteration):
        next(gen)
    assert _count(store) == 1


def test_a_page_that_fails_writes_nothing(store: Store) -> None:
    gen = _page(store)
    page = next(gen)
    page.conn.execute(sa.text("insert into t values (1)"))
    with pytest.raises(RuntimeError):
        gen.throw(RuntimeError("the handler failed"))
    assert _count(store) == 0


def test_a_page_that_reads_nothing_opens_no_connection(store: Store) -> None:
    opened: list[object] = []
    sa.event.listen(store.engine, "engine_connect", opened.append)
    gen = _page(store)
    next(gen)
    with pytest.raises(StopIteration):
        next(gen)
    assert opened == []
    gen = _page(store)
    next(gen).conn.execute(sa.text("select 1"))
    with pytest.raises(StopIteration):
        next(gen)
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
