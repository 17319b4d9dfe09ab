"""Same input, same bytes (issue 9, item 4): every analysis run twice, each time in a fresh
process (new hash seed, new thread scheduling), writes identical JSON and CSV."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from importsub import demo
from importsub.store import Store

#: every analysis command at a small size: (output name, arguments)
COMMANDS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("localisation", ("analyze", "localisation", "--top", "0", "--paths", "0")),
    ("concentration", ("analyze", "concentration")),
    ("balance", ("analyze", "balance", "--year", "2026")),
    ("balance-all", ("analyze", "balance", "--all-years")),
    ("matching", ("analyze", "matching")),
    ("shock-run", ("shock", "run", "cn-8w")),
    ("shock-sweep", ("shock", "sweep", "--by", "country")),
    ("shock-tts", ("shock", "tts", "--site", "RUDENSK")),
    ("shock-montecarlo", ("shock", "montecarlo", "--runs", "300", "--seed", "1")),
    ("shock-simulate", ("shock", "simulate", "cn-8w", "--weeks", "8")),
    ("compliance", ("analyze", "compliance")),
    ("portfolio", ("portfolio", "--budget", "5e9", "--objective", "loss")),
)

# one fresh process runs every command (json and csv) and the demand table, writing each to a file
RUNNER = """
import sys
from contextlib import redirect_stdout
from io import StringIO
from pathlib import Path

from importsub.analysis.demand import derived_demand
from importsub.cli.common import run
from importsub.cli.main import app
from importsub.compile import compile
from importsub.reports.tables import to_csv_sections, to_json
from importsub.store import Store

db, out = sys.argv[1], Path(sys.argv[2])
commands = [line.split("\\t") for line in sys.argv[3].split("\\n")]
for name, *args in commands:
    for fmt in ("json", "csv"):
        buf = StringIO()
        with redirect_stdout(buf):
            code = run(app, [*args, "--db", db, "-f", fmt])
        assert code == 0, (name, fmt, code)
        (out / f"{name}.{fmt}").write_text(buf.getvalue(), encoding="utf-8")
r = derived_demand(compile(Store(db).read_dataset("by-ru-auto")))
(out / "demand.json").write_text(to_json(r.tables, r.fingerprint), encoding="utf-8")
(out / "demand.csv").write_text(to_csv_sections(r.tables), encoding="utf-8")
# a synthetic network large enough for polars to aggregate on several threads
from importsub.analysis import balance, concentration, localisation, matching
from importsub.demo.synth import synth

net = compile(synth(1500, seed=7))
for f in (localisation, concentration, balance, matching):
    r = f(net)
    (out / f"synth-{f.__name__}.json").write_text(to_json(r.tables, r.fingerprint), encoding="utf-8")
"""


def _run(db: str, out: Path, seed: str) -> None:
    out.mkdir()
    env = {**os.environ, "PYTHONHASHSEED": seed}
    env.pop("IMPORTSUB_DB", None)
    spec = "\n".join("\t".join((name, *args)) for name, args in COMMANDS)
    done = subprocess.run(
        [sys.executable, "-c", RUNNER, db, str(out), spec], env=env, capture_output=True, text=True, timeout=900
    )
    assert done.returncode == 0, done.stderr[-3000:]


@pytest.mark.slow
def test_two_runs_same_bytes(tmp_path: Path) -> None:
    db = str(tmp_path / "demo.sqlite")
    Store(db).write_dataset(demo.load())
    _run(db, tmp_path / "a", "1")
    _run(db, tmp_path / "b", "2")
    names = sorted(p.name for p in (tmp_path / "a").iterdir())
    assert len(names) == 2 * (len(COMMANDS) + 1) + 4
    assert names == sorted(p.name for p in (tmp_path / "b").iterdir())
    differ = [n for n in names if (tmp_path / "a" / n).read_bytes() != (tmp_path / "b" / n).read_bytes()]
    assert differ == [], f"outputs differ between two runs: {differ}"
    # and they are real outputs: every JSON has its fingerprint with the year
    for n in names:
        text = (tmp_path / "a" / n).read_text(encoding="utf-8")
        assert len(text) > 100, n
        if n.endswith(".json"):
            assert '"year"' in text, n
