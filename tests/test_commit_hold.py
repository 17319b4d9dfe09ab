"""Ctrl-C after a version's COMMIT: ignored from there in the command process, the caller's own elsewhere."""

from __future__ import annotations

import signal
import sqlite3

import pytest

from importsub.model import interrupts
from importsub.store import _commit_whole


class _Cursor:
    """A cursor on a real SQLite transaction (``execute`` as ADBC's cursor has it)."""

    def __init__(self) -> None:
        self.conn = sqlite3.connect(":memory:", isolation_level=None)
        self.conn.execute("CREATE TABLE t (x INTEGER)")
        self.conn.execute("BEGIN")
        self.conn.execute("INSERT INTO t VALUES (1)")

    def execute(self, sql: str) -> None:
        self.conn.execute(sql)


@pytest.mark.parametrize("held", [False, True])
def test_sigint_after_commit_is_ignored_only_where_held(monkeypatch: pytest.MonkeyPatch, held: bool) -> None:
    def mine(signum: int, frame: object) -> None:  # the caller's own handler
        raise KeyboardInterrupt

    monkeypatch.setattr(interrupts, "_HOLD", [held])
    previous = signal.signal(signal.SIGINT, mine)
    try:
        cur = _Cursor()
        _commit_whole(cur)
        assert cur.conn.execute("SELECT count(*) FROM t").fetchone() == (1,)  # committed
        assert signal.getsignal(signal.SIGINT) is (signal.SIG_IGN if held else mine)
    finally:
        signal.signal(signal.SIGINT, previous)


def test_a_failed_commit_gives_the_callers_handler_back(monkeypatch: pytest.MonkeyPatch) -> None:
    class Failing:
        def execute(self, sql: str) -> None:
            raise sqlite3.OperationalError("disk I/O error")

    def mine(signum: int, frame: object) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(interrupts, "_HOLD", [True])
    previous = signal.signal(signal.SIGINT, mine)
    try:
        with pytest.raises(sqlite3.OperationalError):
            _commit_whole(Failing())
        assert signal.getsignal(signal.SIGINT) is mine
    finally:
        signal.signal(signal.SIGINT, previous)
