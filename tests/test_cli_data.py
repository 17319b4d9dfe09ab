"""The dataset commands end to end, as a user runs them (subprocess, real store)."""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
from pathlib import Path

import polars as pl
import pytest

from importsub.demo.synth import synth
from importsub.io import write_path
from importsub.model.dataset import Dataset


def run(*args: str, db: Path, check: bool = True) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "IMPORTSUB_DB": str(db), "COLUMNS": "200"}
    env.pop("IMPORTSUB_DEBUG", None)
    proc = subprocess.run(
        [sys.executable, "-m", "importsub", *args],
        capture_output=True,
        text=True,
        encoding="utf-8",
        env=env,
        timeout=300,
    )
    if check and proc.returncode != 0:
        raise AssertionError(f"exit {proc.returncode}\nstdout:\n{proc.stdout}\nstderr:\n{proc.stderr}")
    return proc


@pytest.fixture
def db(tmp_path: Path) -> Path:
    return tmp_path / "store.sqlite"


def test_help_everywhere(db: Path) -> None:
    top = run("--help", db=db).stdout
    for cmd in ("demo", "import", "export", "template", "validate", "datasets", "diff", "synth"):
        assert cmd in top
        assert "Usage" in run(cmd, "--help", db=db).stdout


def test_import_export_diff(tiny: Dataset, tmp_path: Path, db: Path) -> None:
    src = tmp_path / "tiny.xlsx"
    write_path(tiny, src)
    out = run("validate", str(src), db=db)
    assert "OK" in out.stdout
    run("import", str(src), "--dataset", "tiny", "--note", "первая версия", db=db)
    listing = run("datasets", db=db).stdout
    assert "tiny" in listing
    run("export", str(tmp_path / "back.json"), "--dataset", "tiny", db=db)
    run("export", str(tmp_path / "csv"), "--dataset", "tiny", "--format", "csv", db=db)
    run("import", str(tmp_path / "back.json"), "--dataset", "tiny", db=db)
    run("import", str(tmp_path / "csv"), "--dataset", "tiny", db=db)
    versions = run("datasets", "tiny", "--format", "csv", db=db).stdout
    rows = pl.read_csv(versions.encode())
    assert rows.get_column("version").to_list() == [1, 2, 3]
    assert rows.get_column("fingerprint").n_unique() == 1  # the same data through every format
    assert "первая версия" in versions
    diff = run("diff", "tiny", "--from", "1", "--to", "3", "--format", "json", db=db).stdout
    assert '"changes": []' in diff


def test_bad_file_error_table_and_store_unchanged(tmp_path: Path, db: Path) -> None:
    """An error in the last row of a large file: a readable table, exit 1, the store byte-for-byte unchanged."""
    ds = synth(3000, seed=5)
    folder = tmp_path / "big"
    write_path(ds, folder, "csv")
    run("import", str(folder), "--dataset", "big", db=db)
    before = hashlib.sha256(db.read_bytes()).hexdigest()
    links = folder / "supply_links.csv"
    lines = links.read_text(encoding="utf-8").splitlines()
    assert len(lines) > 30_000
    last = lines[-1].split(",")
    last[3] = "-0.5"  # share of the very last row
    lines[-1] = ",".join(last)
    links.write_text("\n".join(lines) + "\n", encoding="utf-8")
    proc = run("import", str(folder), "--dataset", "big", db=db, check=False)
    assert proc.returncode == 1
    assert "Traceback" not in proc.stderr
    assert "nothing was written" in proc.stderr
    assert f"{len(lines)}" in proc.stderr  # the line number of the last row
    assert "share" in proc.stderr
    assert hashlib.sha256(db.read_bytes()).hexdigest() == before
    assert not Path(str(db) + "-wal").exists() or Path(str(db) + "-wal").stat().st_size == 0
    assert "1" in run("datasets", "big", "--format", "csv", db=db).stdout.splitlines()[1]


def test_errors_are_readable(tmp_path: Path, db: Path) -> None:
    garbage = tmp_path / "x.xlsx"
    garbage.write_bytes(os.urandom(2000))
    proc = run("import", str(garbage), db=db, check=False)
    assert proc.returncode == 1
    assert "not a readable xlsx workbook" in proc.stderr
    assert "Traceback" not in proc.stderr
    proc = run("export", str(tmp_path / "o.xlsx"), "--dataset", "nope", db=db, check=False)
    assert proc.returncode == 1
    assert "no dataset 'nope'" in proc.stderr
    proc = run("template", str(tmp_path / "t.csv"), db=db, check=False)
    assert proc.returncode == 1


def test_template_then_validate(tmp_path: Path, db: Path) -> None:
    path = tmp_path / "template.xlsx"
    run("template", str(path), db=db)
    assert "OK" in run("validate", str(path), db=db).stdout


def test_synth_command(tmp_path: Path, db: Path) -> None:
    out = tmp_path / "s"
    proc = run("synth", "--sites", "200", "--seed", "3", "--out", str(out), db=db)
    assert "supply links" in proc.stderr
    assert (out / "supply_links.csv").exists()
    assert "OK" in run("validate", str(out), db=db).stdout
