"""Hostile files (tests/hostile_corpus.py) against validate and import, and xlsx bombs against a bounded reader.

The property: every file either imports exactly what it holds, or is refused
with a message naming file, sheet, row and column (as far as the place has
them) — never a traceback, never a silent drop or default, and then nothing
is written to the store.
"""

from __future__ import annotations

import subprocess
import sys
import textwrap
import zipfile
from pathlib import Path

import pytest
from tests.hostile_corpus import CASES_BY_NAME, Case

from importsub.cli.common import run
from importsub.cli.main import app
from importsub.io import read_path
from importsub.model.dataset import Dataset
from importsub.model.errors import FileFormatError, ValidationError
from importsub.store import Store


@pytest.fixture(params=sorted(CASES_BY_NAME), ids=sorted(CASES_BY_NAME))
def case(request: pytest.FixtureRequest) -> Case:
    return CASES_BY_NAME[request.param]


def _same(a: Dataset, b: Dataset) -> bool:
    return all(a.canonical(n).equals(b.canonical(n)) for n in b.tables)


def test_validate(case: Case, tiny: Dataset, tmp_path: Path) -> None:
    path = case.make(tiny, tmp_path / case.name.rsplit(".", 1)[0])
    kind, sheet, row, column, text = case.expect
    if kind == "exact":
        assert _same(read_path(path), tiny)
        return
    with pytest.raises((ValidationError, FileFormatError)) as info:
        read_path(path)
    exc = info.value
    if isinstance(exc, ValidationError):
        hits = [p for p in exc.problems if text in p.message]
        assert hits, [str(p) for p in exc.problems]
        p = hits[0]
        assert p.file is not None
        assert p.file.startswith(str(path))
        assert (p.sheet, p.row, p.column) == (sheet, row, column), str(p)
    else:  # a damaged container: named by file and sheet
        msg = str(exc)
        assert row is None
        assert str(path) in msg
        assert f"sheet {sheet}" in msg
        assert text in msg


def test_import(
    case: Case, tiny: Dataset, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    path = case.make(tiny, tmp_path / case.name.rsplit(".", 1)[0])
    db = tmp_path / "store.sqlite"
    monkeypatch.setenv("IMPORTSUB_DB", str(db))
    monkeypatch.delenv("IMPORTSUB_DEBUG", raising=False)
    code = run(app, ["import", str(path), "--dataset", "hostile"])
    captured = capsys.readouterr()
    assert "Traceback" not in captured.err
    assert "internal error" not in captured.err
    store = Store(str(db))
    if case.expect[0] == "exact":
        assert code == 0, captured.err
        assert _same(store.read_dataset("hostile"), tiny)
    else:
        assert code == 1, captured.err
        assert not store.has_dataset("hostile")  # nothing was written


# ---------------------------------------------------------------- bombs

_PROBE = textwrap.dedent(
    """
    import resource, sys, time
    from importsub.io import read_raw
    from importsub.model.errors import ImportsubError
    t = time.perf_counter()
    try:
        read_raw(sys.argv[1])
        outcome = "read"
    except ImportsubError as exc:
        outcome = "refused: " + str(exc)
    dt = time.perf_counter() - t
    print(outcome)
    print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024, dt)
    """
)
#: what a Python with polars, openpyxl and importsub imported takes, with room: far below a bomb's gigabytes
RSS_BOUND = 600 * 1024**2


def _probe(path: Path) -> tuple[str, int, float]:
    proc = subprocess.run([sys.executable, "-c", _PROBE, str(path)], capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    lines = proc.stdout.strip().splitlines()
    rss, seconds = lines[-1].split()
    return "\n".join(lines[:-1]), int(rss), float(seconds)


def _bomb_row(tiny: Dataset, tmp_path: Path) -> Path:
    # a ~10 KB workbook with one <row r="2147483648">: openpyxl's iterator would make 2^31 empty rows
    return CASES_BY_NAME["row-2147483648.xlsx"].make(tiny, tmp_path / "bomb-row")


def _bomb_strings(tiny: Dataset, tmp_path: Path) -> Path:
    # sharedStrings inflating to 400 MB from well under 1 MB (a 1.5 GB one is refused the same way, unread)
    src = tmp_path / "ok.xlsx"
    from importsub.io import write_path

    write_path(tiny, src)
    path = tmp_path / "bomb-strings.xlsx"
    chunk = ("<si><t>" + "A" * 1000 + "</t></si>") * 1000
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            if info.filename != "xl/sharedStrings.xml":
                zout.writestr(info, zin.read(info))
        with zout.open("xl/sharedStrings.xml", "w", force_zip64=True) as fh:
            fh.write(b'<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">')
            for _ in range(400):
                fh.write(chunk.encode())
            fh.write(b"</sst>")
    return path


def _bomb_columns(tiny: Dataset, tmp_path: Path) -> Path:
    from tests.hostile_corpus import _xlsx_xml

    return _xlsx_xml(tiny, tmp_path / "bomb-cols", "demand", lambda x: x.replace('<c r="A4"', '<c r="XFE4"', 1))


@pytest.mark.parametrize(
    "make", [_bomb_row, _bomb_strings, _bomb_columns], ids=["row-2^31", "shared-strings-400MB", "column-XFE"]
)
def test_bombs_are_refused_quickly_in_bounded_memory(make, tiny: Dataset, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    path = make(tiny, tmp_path)
    outcome, rss, seconds = _probe(path)
    assert outcome.startswith("refused: "), outcome
    assert str(path) in outcome
    assert rss < RSS_BOUND, f"peak RSS {rss / 1e6:.0f} MB reading {path.name} ({path.stat().st_size:,} bytes)"
    print(f"{path.name}: {path.stat().st_size:,} bytes, refused in {seconds:.2f} s, peak RSS {rss / 1e6:.0f} MB")
