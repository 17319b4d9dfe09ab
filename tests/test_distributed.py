"""Dask fan-out: a 2-worker LocalCluster gives exactly the in-process results."""

from __future__ import annotations

import numpy as np

from importsub.analysis.disruption import sweep
from importsub.analysis.montecarlo import MonteCarloSpec, montecarlo
from importsub.compile import compile
from importsub.demo.synth import synth
from importsub.distributed import map_chunks


def _square(offset: int, task: list[int], power: int) -> list[int]:
    return [offset + x**power for x in task]


def test_map_chunks_in_process_keeps_order() -> None:
    seen: list[tuple[int, int]] = []
    out = map_chunks(_square, [[1, 2], [3]], shared=(10,), extra=(2,), progress=lambda d, t: seen.append((d, t)))
    assert out == [[11, 14], [19]]
    assert seen == [(1, 2), (2, 2)]


def test_local_cluster_matches_in_process() -> None:
    net = compile(synth(150, seed=11))
    local = sweep(net, "node", chunk=8)
    spec = MonteCarloSpec(runs=1024, seed=3, window=8.0, chunk=128)
    mc_local = montecarlo(net, spec, keep_runs=True)
    assert local["summary"].get_column("LP re-solves")[0] > 8  # several tasks really went to the workers
    dist = sweep(net, "node", chunk=8, workers=2)
    assert dist["targets"].equals(local["targets"])
    assert dist["summary"].equals(local["summary"])
    mc_dist = montecarlo(net, spec, keep_runs=True, workers=2)
    for name in ("summary", "oems", "runs", "worst 1%"):
        assert mc_dist[name].equals(mc_local[name]), name
    assert np.any(mc_local["runs"].get_column("loss [RUB]").to_numpy() > 0)
