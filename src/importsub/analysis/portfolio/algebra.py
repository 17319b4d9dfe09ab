"""The network algebra the portfolio MIP needs: vehicle demand, upstream nodes.

``S(σ)``, ``A = S · need``, ``P`` and gross output on shares that are not the
network's come from :mod:`importsub.compile.matrices` (the one builder of each).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from importsub.compile.matrices import structure_matrix_of
from importsub.compile.network import FloatArray, IntArray, Network
from importsub.model.errors import NotFoundError


def _vehicle_demand(net: Network, vehicles: Sequence[str] | None) -> FloatArray:
    """Final demand ``d`` [units/yr] of the chosen vehicle models only (all if ``vehicles`` is None)."""
    d = net.demand.copy()
    if vehicles is not None:
        known = set(net.parts)
        bad = [v for v in vehicles if v not in known]
        if bad:
            raise NotFoundError(f"unknown vehicle model(s) {', '.join(bad)}")
        chosen = np.isin(np.asarray(net.parts, dtype=object)[net.node_part], list(vehicles))
        d = np.where(chosen, d, 0.0)
    return d


def _vehicle_value(net: Network, vehicles: Sequence[str] | None) -> float:
    """``Σ d v`` [RUB/yr] of the chosen vehicle models."""
    return float(np.sum(_vehicle_demand(net, vehicles) * net.value))


def _upstream(net: Network, sources: IntArray) -> np.ndarray:
    """Nodes that are ``sources`` or supply them through any chain of links (share 0 included)."""
    mark = np.zeros(net.n_nodes, dtype=np.bool_)
    mark[sources] = True
    if sources.size == 0:
        return mark
    P = structure_matrix_of(net)  # supplier i → buyer node j
    for idx in reversed(net.levels):  # buyers before suppliers
        blk = P[idx]
        if blk.nnz:
            hit = np.asarray(blk @ mark.astype(np.float64)).ravel() > 0
            mark[idx] |= hit
    return mark
