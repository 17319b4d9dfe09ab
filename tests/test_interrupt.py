"""Ctrl-C stops long ``importsub shock …`` runs cleanly.

Each case starts ``python -m importsub shock montecarlo|sweep`` on a
synthetic dataset in a SQLite store in tmp_path, in its own process group,
waits until the progress bar shows the long stage on stderr (the bar is
drawn because the environment says stderr is a terminal), then sends
SIGINT to the whole group as a terminal's Ctrl-C does.  The command must
exit with 130 within a few seconds, print "interrupted" and no traceback,
write nothing to stdout, and — with ``--workers 2`` (a Dask LocalCluster) —
leave none of its worker processes behind.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from importsub.demo.synth import synth
from importsub.store import Store

#: seconds from SIGINT to the end of the process ("a few seconds"; a local cluster needs ~2 s to close)
EXIT_WITHIN = 12.0
#: seconds to wait for the long stage to show up (reading, compiling, baselines and cluster start come first)
START_WITHIN = 60.0


@pytest.fixture(scope="module")
def db(tmp_path_factory: pytest.TempPathFactory) -> str:
    # 2,000 sites: the node sweep's LP stage lasts ~15 s here, Monte Carlo would take minutes with 10⁷ runs
    path = tmp_path_factory.mktemp("interrupt") / "store.sqlite"
    Store(str(path)).write_dataset(synth(2000, seed=4), name="synth")
    return str(path)


# ---------------------------------------------------------------- processes


def _children(pid: int) -> set[int]:
    """All descendants of ``pid`` (psutil if installed, else /proc)."""
    try:
        import psutil
    except ModuleNotFoundError:  # pragma: no cover - psutil comes with dask's distributed
        parent: dict[int, int] = {}
        for entry in Path("/proc").iterdir():
            if entry.name.isdigit():
                try:
                    stat = (entry / "stat").read_text()
                except OSError:
                    continue
                parent[int(entry.name)] = int(stat.rsplit(")", 1)[1].split()[1])
        found: set[int] = set()
        frontier = {pid}
        while frontier:
            frontier = {p for p, pp in parent.items() if pp in frontier} - found
            found |= frontier
        return found
    try:
        return {c.pid for c in psutil.Process(pid).children(recursive=True)}
    except psutil.NoSuchProcess:
        return set()


def _alive(pids: set[int]) -> set[int]:
    """Those of ``pids`` still running (a zombie has ended)."""
    out = set()
    for p in pids:
        try:
            state = Path(f"/proc/{p}/stat").read_text().rsplit(")", 1)[1].split()[0]
        except OSError:
            continue
        if state not in ("Z", "X"):
            out.add(p)
    return out


class _Run:
    """``python -m importsub ARGS`` in its own process group, stderr collected by a thread."""

    def __init__(self, *args: str) -> None:
        env = dict(os.environ, TTY_COMPATIBLE="1", TTY_INTERACTIVE="1", COLUMNS="120")
        env.pop("IMPORTSUB_DEBUG", None)
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "importsub", *args],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            env=env,
            start_new_session=True,  # a process group of its own: SIGINT to it never reaches pytest
        )
        self.err = bytearray()
        self.out = bytearray()
        self._threads = [
            threading.Thread(target=self._pump, args=(self.proc.stderr, self.err), daemon=True),
            threading.Thread(target=self._pump, args=(self.proc.stdout, self.out), daemon=True),
        ]
        for t in self._threads:
            t.start()

    @staticmethod
    def _pump(stream: object, into: bytearray) -> None:
        read = stream.read1  # type: ignore[attr-defined]
        while chunk := read(65536):
            into.extend(chunk)

    def wait_for(self, marker: str, timeout: float) -> None:
        end = time.monotonic() + timeout
        while marker.encode() not in self.err:
            if self.proc.poll() is not None:
                pytest.fail(f"ended (code {self.proc.returncode}) before {marker!r}: {self.stderr[-2000:]}")
            if time.monotonic() > end:
                pytest.fail(f"no {marker!r} on stderr after {timeout:.0f} s: {self.stderr[-2000:]}")
            time.sleep(0.05)

    def interrupt(self) -> tuple[int, float]:
        """Ctrl-C as a terminal sends it (SIGINT to the process group); (exit code, seconds to exit)."""
        t0 = time.monotonic()
        os.killpg(self.proc.pid, signal.SIGINT)
        try:
            code = self.proc.wait(timeout=60)
        except subprocess.TimeoutExpired:
            self.close()
            pytest.fail("still running 60 s after Ctrl-C")
        took = time.monotonic() - t0
        for t in self._threads:
            t.join(timeout=5)
        return code, took

    def close(self) -> None:
        """Kill the group if still running; join the readers and close the pipes."""
        if self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait()
        for t in self._threads:
            t.join(timeout=5)
        for stream in (self.proc.stdout, self.proc.stderr):
            if stream is not None:
                stream.close()

    @property
    def stderr(self) -> str:
        return bytes(self.err).decode("utf-8", errors="replace")


def _interrupt(args: list[str], marker: str, workers: int) -> None:
    run = _Run(*args, "--workers", str(workers))
    kids: set[int] = set()
    try:
        run.wait_for(marker, START_WITHIN)
        time.sleep(1.0)  # well into the long stage
        kids = _children(run.proc.pid)
        if workers >= 2:
            assert len(kids) >= workers, f"expected {workers} worker processes, found {sorted(kids)}"
        code, took = run.interrupt()
        err = run.stderr
        assert code == 130, f"exit code {code}; stderr: {err[-2000:]}"
        assert "interrupted" in err
        assert "Traceback" not in err, err[-4000:]
        assert "KeyboardInterrupt" not in err, err[-4000:]
        assert took < EXIT_WITHIN, f"took {took:.1f} s to stop"
        assert bytes(run.out) == b"", "a half result on stdout"
        # the local cluster's processes end with it (a moment's grace for the OS to reap them)
        end = time.monotonic() + 3.0
        while _alive(kids) and time.monotonic() < end:
            time.sleep(0.1)
        assert not _alive(kids), f"left behind: {sorted(_alive(kids))}"
    finally:
        run.close()
        for p in _alive(kids):  # only processes this test started
            os.kill(p, signal.SIGKILL)


@pytest.mark.parametrize("workers", [0, 2])
def test_ctrl_c_stops_montecarlo(db: str, workers: int) -> None:
    args = ["shock", "montecarlo", "--runs", "10000000", "--db", db, "-d", "synth", "-f", "json"]
    _interrupt(args, "Monte Carlo", workers)


@pytest.mark.parametrize("workers", [0, 2])
def test_ctrl_c_stops_sweep(db: str, workers: int) -> None:
    # every target re-solved (no screening): long enough to be interrupted even with the restricted re-solves
    args = ["shock", "sweep", "--no-screen", "--db", db, "-d", "synth", "-f", "csv"]
    _interrupt(args, "LP re-solves", workers)
