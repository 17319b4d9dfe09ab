"""Ctrl-C during ``importsub import FILE`` (issue 16, item 8): "interrupted", exit code 130, no partial version.

A real ``python -m importsub import`` of a synthetic dataset (20,000 sites, about
330,000 records as CSV files: the write takes seconds) into a store that already
holds one version, on SQLite (the ADBC bulk path) and on PostgreSQL (COPY).  Once
the progress bar shows records written, the process group gets SIGINT as a
terminal's Ctrl-C sends it.  The command must print "interrupted" (not the
driver's ``NOT_IMPLEMENTED``), exit with 130, and leave the store with exactly
the versions it had, and no rows of the interrupted version in any table.

Under load the import may end before the signal lands: then the timing is
retried (an earlier signal), never the assertion.
"""

from __future__ import annotations

import re
import time
from pathlib import Path

import pytest
import sqlalchemy as sa
from tests.test_interrupt import _Run

from importsub.demo.synth import synth
from importsub.io import write_path
from importsub.model.schema import TABLES
from importsub.store import Store

#: records written shown by the progress bar: "writing <table> ━━ 14064/334011"
_WRITING = re.compile(r"writing [a-z_]+ [^\n]*?\s([1-9][0-9]*)/[0-9]+")
ATTEMPTS = 4


@pytest.fixture(scope="module")
def big(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("import-interrupt") / "synth"
    write_path(synth(20_000, seed=1), folder, "csv")
    return folder


def _orphans(url: str) -> int:
    """Rows of any record table whose version is not a stored version."""
    engine = sa.create_engine(url if "://" in url else f"sqlite:///{url}")
    try:
        with engine.connect() as conn:
            return sum(
                int(
                    conn.execute(
                        sa.text(f'SELECT count(*) FROM "{rt.name}" WHERE version_id NOT IN (SELECT id FROM versions)')
                    ).scalar_one()
                )
                for rt in TABLES
            )
    finally:
        engine.dispose()


def _versions(url: str) -> list[tuple[int, str]]:
    store = Store(url)
    try:
        return [(v.version, v.fingerprint) for v in store.versions("big")]
    finally:
        store.close()


def _interrupt_import(url: str, folder: Path) -> None:
    delay = 0.5
    for _ in range(ATTEMPTS):
        before = _versions(url)
        run = _Run("import", str(folder), "--dataset", "big", "--db", url)
        try:
            end = time.monotonic() + 180
            while not _WRITING.search(run.stderr):
                if run.proc.poll() is not None or time.monotonic() > end:
                    pytest.fail(f"no records written shown (code {run.proc.poll()}): {run.stderr[-2000:]}")
                time.sleep(0.02)
            time.sleep(delay)
            if run.proc.poll() is not None:  # the write ended before the signal: try again, earlier
                delay /= 4
                continue
            code, _took = run.interrupt()
        finally:
            run.close()
        err = run.stderr
        if code == 0:  # the signal came after the commit: a whole new version, so retry the timing
            assert len(_versions(url)) == len(before) + 1
            delay /= 4
            continue
        assert code == 130, f"exit code {code}: {err[-2000:]}"
        assert "interrupted" in err
        assert "NOT_IMPLEMENTED" not in err, err[-2000:]
        assert "Traceback" not in err, err[-4000:]
        assert "internal error" not in err, err[-2000:]
        assert _versions(url) == before, "the interrupted import left a version"
        assert _orphans(url) == 0, "the interrupted import left rows behind"
        return
    pytest.fail(f"the import always ended before Ctrl-C ({ATTEMPTS} attempts)")


def _store_with_one_version(url: str, tiny) -> None:  # type: ignore[no-untyped-def]
    store = Store(url)
    try:
        store.write_dataset(tiny, name="big", note="before the interrupted import")
    finally:
        store.close()


def test_ctrl_c_during_sqlite_import(big: Path, tmp_path: Path, tiny) -> None:  # type: ignore[no-untyped-def]
    url = str(tmp_path / "store.sqlite")
    _store_with_one_version(url, tiny)
    _interrupt_import(url, big)


def test_ctrl_c_during_postgres_import(big: Path, pg_url: str, tiny) -> None:  # type: ignore[no-untyped-def]
    _store_with_one_version(pg_url, tiny)
    _interrupt_import(pg_url, big)
