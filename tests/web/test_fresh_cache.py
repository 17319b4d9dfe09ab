"""The per-process caches of callers and dataset listings (web/fresh.py, one Cache class): keyed by who asks,
dropped by any commit of any process (a second Store on the same file stands for another process)."""

from __future__ import annotations

import time
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st
from webenv import Env, web_dataset

from importsub.store import Store, accounts
from importsub.web.fresh import Cache, Stamp


def test_each_token_is_its_own_caller(env: Env) -> None:
    # by difference: after every caller's first request is cached, each still sees only itself
    for _ in range(3):
        for who in ("avto", "brake", "viewer", "admin"):
            me = env.get(who, "/api/users/me").json()
            assert me["username"] == who
            assert me["organization"] == env.users[who].organization


def test_masked_views_differ_by_organisation_after_caching(env: Env) -> None:
    def links(who: str) -> list[dict[str, object]]:
        r = env.get(who, "/api/datasets/plant/records/supply_links?limit=100")
        assert r.status_code == 200, r.text
        return r.json()["records"]  # type: ignore[no-any-return]

    first = {who: links(who) for who in ("avto", "brake")}
    again = {who: links(who) for who in ("avto", "brake")}
    assert first == again
    assert first["avto"] != first["brake"]  # each sees its own shares, not the other's


def test_revoked_token_is_refused_at_once(env: Env) -> None:
    assert env.get("avto", "/api/users/me").status_code == 200
    other = Store(env.store.url)  # another process revokes the token
    with other.engine.begin() as conn:
        assert accounts.revoke_all_api_tokens(conn, user_id=env.users["avto"].id) == 1
    other.engine.dispose()
    assert env.get("avto", "/api/users/me").status_code == 401


def test_role_change_in_another_process_shows_at_once(env: Env) -> None:
    assert env.get("avto", "/api/users/me").json()["role"] == "analyst"
    other = Store(env.store.url)
    with other.engine.begin() as conn:
        accounts.update_user(conn, user_id=env.users["avto"].id, role="viewer")
    other.engine.dispose()
    assert env.get("avto", "/api/users/me").json()["role"] == "viewer"


def test_new_version_from_another_process_shows_at_once(env: Env) -> None:
    before = {d["name"]: d["latest"] for d in env.get("avto", "/api/datasets").json()}
    page = env.get("avto", "/?dataset=plant")
    assert page.status_code == 200
    other = Store(env.store.url)
    other.write_dataset(web_dataset(), name="plant", note="third", created_by="test")
    other.write_dataset(web_dataset(name="second"), created_by="test")
    other.engine.dispose()
    after = {d["name"]: d["latest"] for d in env.get("avto", "/api/datasets").json()}
    assert after["plant"] == before["plant"] + 1
    assert "second" in after
    assert "second" not in before
    versions = env.get("avto", "/api/datasets/plant/versions").json()
    assert len(versions) == before["plant"] + 1


def test_cache_hits_while_unchanged_and_drops_on_commit(tmp_path: Path) -> None:
    store = Store(str(tmp_path / "s.sqlite"))
    cache = Cache(stamp=Stamp(store), max_age=60)
    calls: list[int] = []

    def make() -> int:
        calls.append(1)
        return len(calls)

    assert cache.get_or_make("k", make) == 1
    assert cache.get_or_make("k", make) == 1  # unchanged store: cached
    assert cache.get_or_make("other", make) == 2  # another key is another value
    store.write_dataset(web_dataset(), created_by="test")
    assert cache.get_or_make("k", make) == 3  # a commit drops it
    short = Cache(stamp=Stamp(store), max_age=0.05)
    short.get_or_make("k", make)
    time.sleep(0.1)
    n = len(calls)
    short.get_or_make("k", make)
    assert len(calls) == n + 1  # never older than max_age


def test_unstampable_store_is_never_cached() -> None:
    store = Store("sqlite://")
    cache = Cache(stamp=Stamp(store))
    assert Stamp(store)() is None
    values = iter(range(10))
    assert [cache.get_or_make("k", lambda: next(values)) for _ in range(3)] == [0, 1, 2]


@settings(max_examples=40, deadline=None)
@given(st.lists(st.tuples(st.sampled_from("abc"), st.booleans()), max_size=30))
def test_cache_agrees_with_an_uncached_read(tmp_path_factory, steps) -> None:  # type: ignore[no-untyped-def]
    # a property: whatever the order of reads and commits, a cached read equals a fresh read of the store
    store = Store(str(tmp_path_factory.mktemp("p") / "s.sqlite"))
    cache = Cache(stamp=Stamp(store), max_age=60)
    written = 0
    for key, commit in steps:
        if commit:
            written += 1
            store.write_dataset(web_dataset(name=f"d{written}"), created_by="test")
        names = cache.get_or_make(key, lambda: sorted(d.name for d in store.datasets()))
        assert names == sorted(d.name for d in store.datasets())
    store.engine.dispose()


def test_without_a_stamp_the_cache_is_a_plain_lru() -> None:
    cache = Cache(2, max_age=None)
    made: list[str] = []

    def make(key: str) -> str:
        made.append(key)
        return key.upper()

    assert [cache.get_or_make(k, lambda k=k: make(k)) for k in "aba"] == ["A", "B", "A"]
    assert made == ["a", "b"]
    cache.get_or_make("c", lambda: make("c"))  # "b" was used least recently: it goes
    assert cache.peek("a") == (True, "A")
    assert cache.peek("b") == (False, None)
    assert len(cache) == 2


@settings(max_examples=60, deadline=None)
@given(st.integers(1, 4), st.lists(st.sampled_from("abcdef"), max_size=40))
def test_lru_agrees_with_a_reference_model(size: int, keys: list[str]) -> None:
    # a property: the keys kept are the ``size`` most recently used, as a list-based model says
    cache = Cache(size, max_age=None)
    recent: list[str] = []
    for key in keys:
        hit = cache.peek(key)[0]
        assert hit == (key in recent)
        cache.get_or_make(key, lambda key=key: key)
        recent = [k for k in recent if k != key] + [key]
        recent = recent[-size:]
    assert sorted(k for k in "abcdef" if cache.peek(k)[0]) == sorted(recent)
