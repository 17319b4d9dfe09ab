"""CLI start-up: ``importsub datasets`` and ``importsub demo`` on a store holding the demo vs ``python -c "import importsub"``.

Both run as fresh processes (what a user waits for), five times each; the
median wall time is reported with the peak resident memory of the children
(``ru_maxrss`` of each) and the ratio to the baseline.  The store is opened at its
schema head, so no migration runs in the timed calls.

Run:  python benchmarks/bench_cli_open.py [--runs 5]
Prints one summary line per case.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path


def timed(cmd: list[str], env: dict[str, str], runs: int) -> tuple[float, float]:
    """Median wall seconds of ``runs`` fresh processes, and their largest peak resident memory (MiB)."""
    walls, peaks = [], []
    for _ in range(runs):
        t0 = time.perf_counter()
        child = subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        _, status, usage = os.wait4(child.pid, 0)
        walls.append(time.perf_counter() - t0)
        child.returncode = os.waitstatus_to_exitcode(status)
        if child.returncode:
            raise SystemExit(f"{' '.join(cmd)} exited with {child.returncode}")
        peaks.append(usage.ru_maxrss / 1024)
    return statistics.median(walls), max(peaks)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    src = str(Path(__file__).resolve().parents[1] / "src")
    with tempfile.TemporaryDirectory() as tmp:
        env = {**os.environ, "PYTHONPATH": src, "IMPORTSUB_DB": str(Path(tmp) / "store.sqlite")}
        cli = [sys.executable, "-m", "importsub"]
        subprocess.run([*cli, "demo"], env=env, check=True, capture_output=True)  # the store, migrated, with the demo
        base, base_mib = timed([sys.executable, "-c", "import importsub"], env, args.runs)
        print(f"baseline import importsub      median of {args.runs}: {base:6.3f} s  peak={base_mib:7.1f} MiB")
        wall, mib = timed([*cli, "datasets"], env, args.runs)
        print(
            f"importsub datasets (demo store) median of {args.runs}: {wall:6.3f} s  peak={mib:7.1f} MiB  "
            f"ratio to baseline={wall / base:6.1f}x  (target < 0.6 s)"
        )
        # the demo already stored: summary, headline, the programme and every named scenario's loss (TTR)
        wall, mib = timed([*cli, "demo"], env, args.runs)
        print(
            f"importsub demo (stored)         median of {args.runs}: {wall:6.3f} s  peak={mib:7.1f} MiB  "
            f"ratio to baseline={wall / base:6.1f}x"
        )


if __name__ == "__main__":
    main()
