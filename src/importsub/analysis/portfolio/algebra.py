"""The network algebra the portfolio MIP needs: vehicle demand, gross output on given shares, upstream nodes.

These are the portfolio's own small copies of ``S(σ)``, ``A = S · need`` and
``(I − A) x = d`` (on the super network, for shares that are not the network's).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import scipy.sparse as sp

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


def _solve_x(net: Network, share: FloatArray, d: FloatArray) -> FloatArray:
    """Gross output ``x`` [units/yr] of ``(I − A) x = d`` with ``A = S(share) · need`` on the
    structure of ``net`` (levels: buyers before suppliers)."""
    n, m = net.n_nodes, int(net.need.shape[0])
    S = sp.csr_matrix((share, (net.link_supplier, net.link_group)), shape=(n, m))
    A = (S @ net.need).tocsr()
    x = np.array(d, dtype=np.float64, copy=True)
    for idx in reversed(net.levels):
        blk = A[idx]
        if blk.nnz:
            x[idx] += blk @ x
    return x


def _upstream(net: Network, sources: IntArray) -> np.ndarray:
    """Nodes that are ``sources`` or supply them through any chain of links (share 0 included)."""
    n, m = net.n_nodes, int(net.need.shape[0])
    mark = np.zeros(n, dtype=np.bool_)
    mark[sources] = True
    if sources.size == 0:
        return mark
    S1 = sp.csr_matrix((np.ones(net.n_links), (net.link_supplier, net.link_group)), shape=(n, m))
    need1 = net.need.copy()
    need1.data[:] = 1.0
    P = (S1 @ need1).tocsr()  # supplier i → buyer node j
    for idx in reversed(net.levels):  # buyers before suppliers
        blk = P[idx]
        if blk.nnz:
            hit = np.asarray(blk @ mark.astype(np.float64)).ravel() > 0
            mark[idx] |= hit
    return mark


def _base_A(net: Network, sigma0: FloatArray, need: sp.csr_matrix) -> sp.coo_matrix:
    """``A⁰ = S⁰ · need`` [units of supplier per unit of buyer] with ``S⁰[i, g] = σ⁰_e`` for the link e from i to g."""
    n, m = net.n_nodes, int(need.shape[0])
    S0 = sp.csr_matrix((sigma0, (net.link_supplier, net.link_group)), shape=(n, m))
    return (S0 @ need).tocoo()
