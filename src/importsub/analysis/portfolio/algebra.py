"""The network algebra the portfolio MIP needs: vehicle demand, gross output on given shares, upstream nodes.

``S(σ)``, ``A = S · need``, ``P`` and ``(I − A) x = d`` come from
:mod:`importsub.compile.matrices` (the one builder of each); here they are taken
on the super network, for shares that are not the network's.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import scipy.sparse as sp

from importsub.compile.matrices import gross_output, input_matrix, share_matrix, structure_matrix_of
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
    return gross_output(net, d, share=share)


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


def _base_A(net: Network, sigma0: FloatArray, need: sp.csr_matrix) -> sp.coo_matrix:
    """``A⁰ = S⁰ · need`` [units of supplier per unit of buyer] with ``S⁰[i, g] = σ⁰_e`` for the link e from i to g."""
    S0 = share_matrix(net.link_supplier, net.link_group, sigma0, net.n_nodes, int(need.shape[0]))
    return input_matrix(S0, need).tocoo()
