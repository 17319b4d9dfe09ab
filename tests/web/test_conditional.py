"""ETags, 304s and kept answers (web/conditional.py): an answer is kept per caller and dropped by any commit
of any process (a second Store on the same file stands for another process; the two-server test in
test_two_servers.py uses real ones), and a kept answer is always the one the route would give now."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from webenv import BRAKE_SHARES, Env, make_env, web_dataset

from importsub.store import Store, accounts
from importsub.web import Settings, create_app
from importsub.web.conditional import etag_of, matches

LINKS = "/api/datasets/plant/records/supply_links?limit=100"
AVTO_SHARES_V2 = (0.7137, 0.2863)  # AVTO's shares in the latest version of the test store (webenv)


def _kept(env: Env) -> int:
    return len(env.client.app.state.responses)  # type: ignore[attr-defined]


def _if_none_match(env: Env, who: str, url: str, etag: str):  # type: ignore[no-untyped-def]
    return env.client.get(url, headers={**env.auth(who), "If-None-Match": etag})


def _another_process(env: Env) -> Store:
    other = Store(env.store.url)
    # in this process, through the same copy of SQLite as the app: ADBC's own copy would not see the app's
    # file locks (a real other process may use it)
    other.bulk_sqlite = False
    return other


def test_an_api_get_has_an_etag_and_a_matching_request_gets_304(env: Env) -> None:
    first = env.get("avto", "/api/datasets")
    assert first.status_code == 200
    etag = first.headers["etag"]
    assert etag == etag_of(first.content).decode()  # the digest of what was sent
    assert first.headers["cache-control"] == "private, no-cache"  # kept by the client only, asked again
    again = _if_none_match(env, "avto", "/api/datasets", etag)
    assert again.status_code == 304
    assert again.content == b""
    assert again.headers["etag"] == etag
    other = _if_none_match(env, "avto", "/api/datasets", '"nothing-like-it"')
    assert other.status_code == 200
    assert other.content == first.content


def test_pages_get_etags_but_stay_out_of_the_browser_cache(env: Env) -> None:
    page = env.get("avto", "/?dataset=plant")
    assert page.status_code == 200
    assert page.headers["etag"] == etag_of(page.content).decode()
    assert page.headers["cache-control"] == "no-store"
    assert _if_none_match(env, "avto", "/?dataset=plant", page.headers["etag"]).status_code == 304


def test_a_new_version_changes_the_etag_and_drops_kept_answers(env: Env) -> None:
    before = env.get("avto", "/api/datasets")
    assert _kept(env) >= 1
    other = _another_process(env)
    other.write_dataset(web_dataset(avto_shares=(0.5, 0.5)), name="plant", note="third", created_by="test")
    other.engine.dispose()
    after = _if_none_match(env, "avto", "/api/datasets", before.headers["etag"])
    assert after.status_code == 200  # not 304: the listing changed
    assert after.headers["etag"] != before.headers["etag"]
    latest = {d["name"]: d["latest"] for d in after.json()}
    assert latest["plant"] == {d["name"]: d["latest"] for d in before.json()}["plant"] + 1
    links = env.get("avto", LINKS).json()
    assert links["version"] == latest["plant"]


def test_a_second_organisation_never_gets_the_first_ones_kept_answer(env: Env) -> None:
    # differential: the same URL, kept for AVTO first; BRAKE gets its own view, and AVTO's ETag is no 304 for it
    avto = env.get("avto", LINKS)
    assert env.get("avto", LINKS).content == avto.content  # now a kept answer
    brake = _if_none_match(env, "brake", LINKS, avto.headers["etag"])
    assert brake.status_code == 200
    assert brake.content != avto.content
    assert brake.headers["etag"] != avto.headers["etag"]

    def shares(body: dict[str, object], buyer: str) -> list[object]:
        return [r["share"] for r in body["records"] if r["buyer"] == buyer]  # type: ignore[attr-defined,index]

    assert sorted(shares(avto.json(), "AVTO-TLT")) == sorted(AVTO_SHARES_V2)  # type: ignore[type-var]
    assert shares(avto.json(), "BRAKE-MSK") == [None, None]  # BRAKE's shares hidden from AVTO
    assert sorted(shares(brake.json(), "BRAKE-MSK")) == sorted(BRAKE_SHARES)  # type: ignore[type-var]
    assert shares(brake.json(), "AVTO-TLT") == [None, None]
    for _ in range(2):  # and so it stays, kept answers and all
        assert env.get("brake", LINKS).content == brake.content
        assert env.get("avto", LINKS).content == avto.content


def test_a_revoked_token_is_refused_at_once_despite_a_kept_answer(env: Env) -> None:
    assert env.get("avto", LINKS).status_code == 200
    assert env.get("avto", LINKS).status_code == 200  # kept
    other = _another_process(env)
    with other.engine.begin() as conn:
        assert accounts.revoke_all_api_tokens(conn, user_id=env.users["avto"].id) == 1
    other.engine.dispose()
    assert env.get("avto", LINKS).status_code == 401
    assert env.get("brake", LINKS).status_code == 200


def test_a_deactivated_user_is_refused_at_once(env: Env) -> None:
    assert env.get("avto", "/?dataset=plant").status_code == 200
    other = _another_process(env)
    with other.engine.begin() as conn:
        accounts.update_user(conn, user_id=env.users["avto"].id, active=False)
    other.engine.dispose()
    assert env.get("avto", "/api/datasets").status_code == 401
    assert env.get("avto", "/?dataset=plant", follow_redirects=False).status_code == 303  # to the login page


def test_a_route_with_side_effects_is_never_kept(env: Env) -> None:
    # the dataset export writes the audit log: every download is run (and audited), none is served kept
    url = "/api/datasets/plant/export?format=json"
    for _ in range(3):
        assert env.get("avto", url).status_code == 200
    with env.store.engine.connect() as conn:
        audited = [e for e in accounts.list_audit(conn, limit=50) if e["action"] == "dataset exported"]
    assert len(audited) == 3


def test_if_none_match_forms() -> None:
    tag = etag_of(b"body")
    assert matches(tag, tag)
    assert matches(b"W/" + tag, tag)
    assert matches(b'"a", ' + tag, tag)
    assert matches(b"*", tag)
    assert not matches(None, tag)
    assert not matches(b'"a"', tag)
    assert etag_of(b"body") != etag_of(b"Body")


@pytest.fixture(scope="module")
def pair(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Env, TestClient]]:
    """An app that keeps answers and one on the same store that keeps none (the independent reference)."""
    db = str(tmp_path_factory.mktemp("cond") / "web.sqlite")
    for env in make_env(db):
        plain = create_app(Settings(db=db, worker=False, response_cache=0), store=Store(db))
        with TestClient(plain, base_url="http://testserver") as reference:
            yield env, reference
        plain.state.store.engine.dispose()


# the overview page is left out: its charts order tied values as polars' group_by happens to (two renderings
# of one version can differ), so it cannot be compared byte for byte with an independent rendering
URLS = ["/api/datasets", LINKS, "/api/datasets/plant/scenarios", "/api/datasets/plant/projects", "/datasets/plant"]


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    st.lists(
        st.tuples(st.sampled_from(["avto", "brake", "viewer", "ministry"]), st.sampled_from(URLS), st.booleans()),
        min_size=1,
        max_size=12,
    )
)
def test_a_kept_answer_is_what_the_route_gives_now(pair: tuple[Env, TestClient], steps: list) -> None:  # type: ignore[type-arg]
    # a property: whatever the order of callers, routes and new versions, every answer of the caching app
    # equals the answer of an app that keeps nothing, byte for byte
    env, reference = pair
    for who, url, commit in steps:
        if commit:
            other = _another_process(env)
            other.write_dataset(web_dataset(avto_shares=(0.4, 0.6)), name="plant", created_by="test")
            other.engine.dispose()
        got = env.get(who, url)
        want = reference.get(url, headers=env.auth(who))
        assert got.status_code == want.status_code == 200
        assert got.content == want.content, (who, url)
        assert got.headers["etag"] == want.headers["etag"]


def test_the_cache_keeps_answers_only_on_a_stampable_store(tmp_path: Path) -> None:
    for env in make_env(str(tmp_path / "w.sqlite")):
        env.get("avto", "/api/datasets")
        assert _kept(env) == 1
    app = create_app(Settings(db="sqlite://", worker=False), store=Store("sqlite://"))
    assert app.state.responses.stamp() is None  # in memory: nothing can be stamped, nothing is kept
