"""Opening a store: the schema version is read cheaply, Alembic runs only when a migration is due, no password
hash is made at open; ``importsub serve`` keeps sessions and sign-in attempts tidy."""

from __future__ import annotations

import subprocess
import sys
import time
from datetime import timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa

from importsub.model.errors import ImportsubError
from importsub.store import MIGRATIONS, Store, accounts
from importsub.store.housekeeping import Housekeeper, housekeep
from importsub.store.schema_version import current_revisions, head_revision

SRC = str(Path(__file__).resolve().parents[1] / "src")


def test_head_revision_is_alembics_head() -> None:
    from alembic.config import Config
    from alembic.script import ScriptDirectory

    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    assert head_revision() == ScriptDirectory.from_config(cfg).get_current_head()


def test_two_heads_or_a_file_without_revision_are_errors(tmp_path: Path) -> None:
    versions = tmp_path / "versions"
    versions.mkdir()
    (versions / "a.py").write_text('revision = "a"\ndown_revision = None\n', encoding="utf-8")
    (versions / "b.py").write_text('revision = "b"\ndown_revision = "a"\n', encoding="utf-8")
    assert head_revision(tmp_path) == "b"
    (versions / "c.py").write_text('revision = "c"\ndown_revision = "a"\n', encoding="utf-8")
    with pytest.raises(ImportsubError, match=r"2 heads \(b.py, c.py\)"):
        head_revision.__wrapped__(tmp_path)
    (versions / "d.py").write_text("# nothing\n", encoding="utf-8")
    with pytest.raises(ImportsubError, match=r"migration d\.py"):
        head_revision.__wrapped__(tmp_path)


def _in_fresh_process(code: str) -> str:
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, env={"PYTHONPATH": SRC}, check=False
    )
    assert done.returncode == 0, done.stderr
    return done.stdout.strip()


def test_a_store_at_head_opens_without_alembic_and_without_hashing(tmp_path: Path) -> None:
    db = tmp_path / "s.sqlite"
    Store(str(db)).close()  # a new store: migrated (Alembic runs)
    out = _in_fresh_process(
        "import sys\n"
        "from importsub.store import Store, passwords\n"
        f"s = Store({str(db)!r})\n"
        "print('alembic' in sys.modules, passwords.dummy_hash.cache_info().misses)\n"
    )
    assert out == "False 0"


def test_an_old_store_is_migrated_on_open(tmp_path: Path) -> None:
    from alembic import command
    from alembic.config import Config

    store = Store(str(tmp_path / "s.sqlite"))
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    with store.writing() as conn:
        cfg.attributes["connection"] = conn
        command.downgrade(cfg, "0003")
    assert current_revisions(store.engine) == ("0003",)
    reopened = Store(str(tmp_path / "s.sqlite"))
    assert current_revisions(reopened.engine) == (head_revision(),)
    store.close()
    reopened.close()


def test_the_dummy_hash_is_made_on_the_first_unknown_user_sign_in(tmp_path: Path) -> None:
    out = _in_fresh_process(
        "from importsub.store import Store, accounts, passwords\n"
        f"s = Store({str(tmp_path / 's.sqlite')!r})\n"
        "before = passwords.dummy_hash.cache_info().misses\n"
        "with s.writing() as conn:\n"
        "    found = accounts.check_password(conn, username='nobody', password='x' * 12)\n"
        "print(before, passwords.dummy_hash.cache_info().misses, found)\n"
    )
    assert out == "0 1 None"


def _untidy(store: Store) -> int:
    """A user with an expired and a live session and a fresh and an old sign-in attempt; the user's id."""
    with store.writing() as conn:
        user = accounts.create_user(conn, username="ana", password="a long passphrase", role="viewer")
        accounts.create_session(conn, user_id=user.id, ttl=timedelta(seconds=-1))
        accounts.create_session(conn, user_id=user.id, ttl=timedelta(hours=1))
        accounts.record_login_attempt(conn, username="ana", ip="10.0.0.1", success=False)
        accounts.record_login_attempt(conn, username="ana", ip="10.0.0.1", success=False)
        conn.execute(
            accounts.login_attempts.update()
            .where(accounts.login_attempts.c.id == 1)
            .values(at=accounts.now() - timedelta(days=2))
        )
    return user.id


def _counts(store: Store) -> tuple[int, int]:
    with store.engine.connect() as conn:
        return (
            conn.execute(sa.select(sa.func.count()).select_from(accounts.sessions)).scalar_one(),
            conn.execute(sa.select(sa.func.count()).select_from(accounts.login_attempts)).scalar_one(),
        )


def test_housekeeping_deletes_expired_sessions_and_old_attempts(tmp_path: Path) -> None:
    store = Store(str(tmp_path / "s.sqlite"))
    _untidy(store)
    assert _counts(store) == (2, 2)
    swept = housekeep(store)
    assert (swept.sessions, swept.login_attempts) == (1, 1)
    assert _counts(store) == (1, 1)
    assert housekeep(store).sessions == 0


def test_the_housekeeper_runs_at_start_and_then_each_interval(tmp_path: Path) -> None:
    store = Store(str(tmp_path / "s.sqlite"))
    _untidy(store)
    keeper = Housekeeper(store, interval=0.01).start()
    try:
        for _ in range(500):
            if keeper.rounds >= 3:
                break
            time.sleep(0.01)
    finally:
        keeper.stop()
    assert keeper.rounds >= 3
    assert _counts(store) == (1, 1)


def test_serve_runs_the_housekeeping(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """``importsub serve`` tidies the store before it serves (uvicorn replaced by a check of the store)."""
    import uvicorn

    from importsub.cli.common import run
    from importsub.cli.main import app

    db = tmp_path / "s.sqlite"
    store = Store(str(db))
    _untidy(store)
    seen: list[tuple[int, int]] = []

    def serve_once(*_args: object, **_kwargs: object) -> None:
        for _ in range(500):  # the first round runs in the housekeeper's thread as the server starts
            if _counts(store) == (1, 1):
                break
            time.sleep(0.01)
        seen.append(_counts(store))

    monkeypatch.setattr(uvicorn, "run", serve_once)
    monkeypatch.setenv("IMPORTSUB_ADMIN_PASSWORD", "a long admin passphrase")
    assert run(app, ["serve", "--db", str(db)]) == 0
    assert seen == [(1, 1)]
