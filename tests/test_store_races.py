"""Concurrent imports, full disks and read-only stores, with real processes and real databases.

Race: 4 processes start at the same instant, each opens a *new, empty* store
(so migrations race too) and imports the same dataset; every import must land,
with versions 1-4.  Disk full: SQLite's ``PRAGMA max_page_count`` makes the
database full mid-import; a process file-size limit (RLIMIT_FSIZE) makes an
export hit "file too large".  Read-only: a store file and folder without write
permission, read by a process without the capability to override permissions.
"""

from __future__ import annotations

import errno
import hashlib
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

from importsub.demo.synth import synth
from importsub.io import write_path
from importsub.model.dataset import Dataset
from importsub.model.errors import ImportsubError
from importsub.store import Store

RACER = """
import sys, time
from importsub.io import read_path
from importsub.store import Store
url, path, start = sys.argv[1], sys.argv[2], float(sys.argv[3])
ds = read_path(path)
while time.time() < start:
    time.sleep(0.001)
info = Store(url).write_dataset(ds, name="race", note=sys.argv[4])
print(info.version)
"""


def _race(url: str, data: Path, n: int = 4) -> list[int]:
    start = time.time() + 4.0  # every racer has read its file and waits at the line
    procs = [
        subprocess.Popen(
            [sys.executable, "-c", RACER, url, str(data), str(start), f"racer {i}"],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for i in range(n)
    ]
    versions = []
    for p in procs:
        out, errs = p.communicate(timeout=300)
        assert p.returncode == 0, errs
        versions.append(int(out.strip().splitlines()[-1]))
    return versions


@pytest.mark.parametrize("backend", ["sqlite", "postgresql"])
def test_four_concurrent_imports_into_a_new_store_all_land(
    backend: str, tiny: Dataset, tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    url = str(tmp_path / "race.sqlite") if backend == "sqlite" else str(request.getfixturevalue("pg_url"))
    data = tmp_path / "tiny.json"
    write_path(tiny, data)
    versions = _race(url, data)
    assert sorted(versions) == [1, 2, 3, 4]
    store = Store(url)
    stored = store.versions("race")
    assert [v.version for v in stored] == [1, 2, 3, 4]
    assert sorted(v.note or "" for v in stored) == [f"racer {i}" for i in range(4)]
    for v in stored:
        assert store.read_dataset("race", v.version).equals(tiny)


def test_import_that_fills_the_database_says_disk_full(tmp_path: Path, tiny: Dataset) -> None:
    path = tmp_path / "full.sqlite"
    store = Store(str(path))
    store.write_dataset(tiny)
    import sqlite3

    with sqlite3.connect(path) as conn:
        pages = conn.execute("PRAGMA page_count").fetchone()[0] + 8  # room for a few pages, not 300 sites
    store.write_pragmas = (f"PRAGMA max_page_count={pages}",)
    big = synth(300, seed=3)
    with pytest.raises(ImportsubError, match="disk full") as info:
        store.write_dataset(big, name="big")
    assert "cannot rollback" not in str(info.value)
    store.write_pragmas = ()
    assert [d.name for d in store.datasets()] == ["tiny"]  # nothing of the failed import
    assert store.read_dataset("tiny").equals(tiny)
    assert store.write_dataset(tiny).version == 2  # the store works on


def _limited_export(db: Path, out: Path, limit: int) -> subprocess.CompletedProcess[str]:
    import resource
    import signal

    def limit_size() -> None:
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # a write past the limit fails with EFBIG instead
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))

    env = {**os.environ, "IMPORTSUB_DB": str(db), "COLUMNS": "400"}
    env.pop("IMPORTSUB_DEBUG", None)
    return subprocess.run(
        [sys.executable, "-m", "importsub", "export", str(out), "--dataset", "big"],
        capture_output=True,
        text=True,
        env=env,
        preexec_fn=limit_size,
        timeout=300,
    )


@pytest.mark.parametrize("suffix", [".json", ".xlsx", ""])
def test_export_on_a_full_disk_leaves_the_old_file(tmp_path: Path, suffix: str) -> None:
    db = tmp_path / "s.sqlite"
    Store(str(db)).write_dataset(synth(200, seed=1), name="big")
    out = tmp_path / f"export{suffix}"
    ok = _limited_export(db, out, 1 << 30)
    assert ok.returncode == 0, ok.stderr
    before = sorted((p.name, hashlib.sha256(p.read_bytes()).hexdigest()) for p in ([out] if suffix else out.iterdir()))
    Store(str(db)).write_dataset(synth(1000, seed=2), name="big")  # a bigger version 2
    # a size limit just below the largest file of the new export, far above what reading the store needs
    scratch = tmp_path / f"scratch{suffix}"
    assert _limited_export(db, scratch, 1 << 30).returncode == 0
    largest = max(p.stat().st_size for p in ([scratch] if suffix else scratch.iterdir()))
    proc = _limited_export(db, out, largest - 1)
    assert proc.returncode == 1, proc.stderr
    assert "disk full" in proc.stderr
    assert "Traceback" not in proc.stderr
    assert "internal error" not in proc.stderr
    after = sorted((p.name, hashlib.sha256(p.read_bytes()).hexdigest()) for p in ([out] if suffix else out.iterdir()))
    assert after == before  # the old export, byte for byte
    assert not [p for p in tmp_path.iterdir() if ".tmp" in p.name]  # no temporary left behind


def test_disk_full_while_writing_names_it(tmp_path: Path, tiny: Dataset, monkeypatch: pytest.MonkeyPatch) -> None:
    from importsub.io import json as json_io

    target = tmp_path / "t.json"
    target.write_text("old", encoding="utf-8")

    def full(ds: Dataset, path: Path) -> None:
        path.write_text("partial", encoding="utf-8")
        raise OSError(errno.ENOSPC, "No space left on device", str(path))

    monkeypatch.setattr(json_io, "write_json", full)
    with pytest.raises(ImportsubError, match="disk full"):
        write_path(tiny, target)
    assert target.read_text(encoding="utf-8") == "old"
    assert [p.name for p in tmp_path.iterdir()] == ["t.json"]


def _without_override(*args: str, db: Path) -> subprocess.CompletedProcess[str]:
    """Run the CLI as root without the capabilities that ignore file permissions (or as the user we are)."""
    setpriv = shutil.which("setpriv")
    prefix = (
        [setpriv, "--bounding-set", "-dac_override,-dac_read_search,-fowner"] if os.geteuid() == 0 and setpriv else []
    )
    env = {**os.environ, "IMPORTSUB_DB": str(db), "COLUMNS": "400"}
    env.pop("IMPORTSUB_DEBUG", None)
    return subprocess.run(
        [*prefix, sys.executable, "-m", "importsub", *args], capture_output=True, text=True, env=env, timeout=300
    )


def test_read_only_store_can_be_listed_and_exported(tmp_path: Path, tiny: Dataset) -> None:
    if os.geteuid() == 0 and shutil.which("setpriv") is None:
        pytest.skip("root without setpriv ignores file permissions")
    folder = tmp_path / "ro"
    folder.mkdir()
    db = folder / "s.sqlite"
    Store(str(db)).write_dataset(tiny)
    src = tmp_path / "tiny.json"
    write_path(tiny, src)
    db.chmod(0o444)
    folder.chmod(0o555)
    try:
        listing = _without_override("datasets", db=db)
        assert listing.returncode == 0, listing.stderr
        assert "tiny" in listing.stdout
        exported = _without_override("export", str(tmp_path / "back.json"), "--dataset", "tiny", db=db)
        assert exported.returncode == 0, exported.stderr
        refused = _without_override("import", str(src), db=db)
        assert refused.returncode == 1
        assert "read-only" in refused.stderr
        assert "Traceback" not in refused.stderr
    finally:
        folder.chmod(0o755)
        db.chmod(0o644)


def test_reads_and_small_writes_do_not_wait_for_an_import(tmp_path: Path, tiny: Dataset) -> None:
    """While an import holds SQLite's write lock, listing, reading and a deferred transaction that only
    reads all go ahead (WAL readers see the last committed version); a second import (another process)
    waits its turn and then lands."""
    import threading

    import sqlalchemy as sa

    store = Store(str(tmp_path / "s.sqlite"))
    store.write_dataset(tiny)
    data = tmp_path / "tiny.json"
    write_path(tiny, data)
    read: list[bool] = []

    def reader() -> None:
        other = Store(store.url)
        assert [d.name for d in other.datasets()] == ["tiny"]
        assert other.read_dataset("tiny").fingerprint() == tiny.fingerprint()
        with other.engine.begin() as conn:  # a deferred transaction takes no lock until it writes
            conn.execute(sa.text("SELECT count(*) FROM versions")).scalar()
        read.append(True)

    with store.writing() as conn:
        conn.execute(sa.text("UPDATE datasets SET name = name"))  # hold the write lock
        racer = subprocess.Popen(
            [sys.executable, "-c", RACER, store.url, str(data), str(time.time()), "second"],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        r = threading.Thread(target=reader)
        r.start()
        r.join(60)
        assert read == [True], "a read waited for the write lock"
        time.sleep(2.0)  # the import has had time to start and finish, had it not waited
        assert racer.poll() is None, "a second import did not wait for the write lock"
        assert [d.name for d in Store(store.url).datasets()] == ["tiny"]
    out, errs = racer.communicate(timeout=300)
    assert racer.returncode == 0, errs
    assert out.strip().splitlines()[-1] == "1"
    assert sorted(d.name for d in store.datasets()) == ["race", "tiny"]


def test_web_server_imports_through_one_copy_of_sqlite(tmp_path: Path) -> None:
    """Two copies of SQLite in one process do not see each other's locks: the server imports through
    SQLAlchemy (the copy its other threads use), so an upload cannot race a sign-in on the same file."""
    from importsub.web.app import create_app
    from importsub.web.config import Settings

    app = create_app(Settings(db=str(tmp_path / "w.sqlite")))
    assert app.state.store.bulk_sqlite is False
