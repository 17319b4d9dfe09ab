"""Dask fan-out: a 2-worker LocalCluster gives exactly the in-process results, errors come back,
and the Ctrl-C machinery (SIGINT ignored by the workers, deferred during shutdown) does what it says."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time

import numpy as np
import psutil
import pytest

from importsub.analysis.disruption import sweep
from importsub.analysis.montecarlo import MonteCarloSpec, montecarlo, reference_plan
from importsub.compile import compile
from importsub.demo.synth import synth
from importsub.distributed import map_chunks
from importsub.distributed.dask import _sigint


def _square(offset: int, task: list[int], power: int) -> list[int]:
    return [offset + x**power for x in task]


def _fail_on(offset: int, task: list[int], bad: int) -> list[int]:
    if bad in task:
        raise ValueError(f"task with {bad} failed")
    return [offset + x for x in task]


def _descendants() -> set[int]:
    """Child processes of this one, but multiprocessing's resource tracker (one per process, ends with it)."""
    out = set()
    for p in psutil.Process().children(recursive=True):
        try:
            if "resource_tracker" not in " ".join(p.cmdline()):
                out.add(p.pid)
        except psutil.NoSuchProcess:
            pass
    return out


def _running(pids: set[int]) -> set[int]:
    out = set()
    for p in pids:
        try:
            if psutil.Process(p).status() != psutil.STATUS_ZOMBIE:
                out.add(p)
        except psutil.NoSuchProcess:
            pass
    return out


def test_map_chunks_in_process_keeps_order() -> None:
    seen: list[tuple[int, int]] = []
    out = map_chunks(_square, [[1, 2], [3]], shared=(10,), extra=(2,), progress=lambda d, t: seen.append((d, t)))
    assert out == [[11, 14], [19]]
    assert seen == [(1, 2), (2, 2)]


def test_local_cluster_matches_in_process() -> None:
    net = compile(synth(150, seed=11))
    local = sweep(net, "node", chunk=8)
    spec = MonteCarloSpec(runs=1024, seed=3, window=8.0, chunk=128)
    plan = reference_plan(net, spec.window)
    mc_local = montecarlo(net, spec, keep_runs=True, plan=plan)
    assert local["summary"].get_column("LP re-solves")[0] > 8  # several tasks really went to the workers
    before = _descendants()
    dist = sweep(net, "node", chunk=8, workers=2)
    assert dist["targets"].equals(local["targets"])
    assert dist["summary"].equals(local["summary"])
    # other chunks (and so other tasks) on the workers: still the same scenarios and losses
    spec_dist = MonteCarloSpec(runs=1024, seed=3, window=8.0, chunk=64)
    mc_dist = montecarlo(net, spec_dist, keep_runs=True, workers=2, plan=plan)
    for name in ("summary", "oems", "runs", "worst 1%", "distribution"):
        assert mc_dist[name].equals(mc_local[name]), name
    assert np.any(mc_local["runs"].get_column("loss [RUB]").to_numpy() > 0)
    # each call's cluster is closed with it
    time.sleep(0.5)
    assert not _running(_descendants() - before)


def test_a_failing_task_raises_and_closes_the_cluster() -> None:
    before = _descendants()
    with pytest.raises(ValueError, match="task with 3 failed"):
        map_chunks(_fail_on, [[1], [2], [3], [4]], shared=(10,), extra=(3,), workers=2)
    time.sleep(0.5)
    assert not _running(_descendants() - before)


def test_sigint_ignored_is_inherited_by_child_processes() -> None:
    code = "import signal; print(signal.getsignal(signal.SIGINT) is signal.SIG_IGN)"
    with _sigint("ignored"):
        inside = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    after = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert inside.stdout.strip() == "True"
    assert after.stdout.strip() == "False"
    assert signal.getsignal(signal.SIGINT) is not signal.SIG_IGN


def test_sigint_deferred_until_the_block_ends() -> None:
    done = []

    def block() -> None:
        with _sigint("deferred"):
            os.kill(os.getpid(), signal.SIGINT)
            time.sleep(0.05)  # the handler runs here; the block goes on
            done.append(True)

    with pytest.raises(KeyboardInterrupt):
        block()
    assert done == [True]
    handler = signal.getsignal(signal.SIGINT)
    with _sigint("deferred"):
        pass  # no signal: nothing raised
    assert signal.getsignal(signal.SIGINT) is handler


def test_sigint_outside_the_main_thread_changes_nothing() -> None:
    seen: list[object] = []

    def job() -> None:
        with _sigint("ignored"):
            seen.append(signal.getsignal(signal.SIGINT))

    handler = signal.getsignal(signal.SIGINT)
    t = threading.Thread(target=job)
    t.start()
    t.join()
    assert seen == [handler]
