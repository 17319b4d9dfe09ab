"""Derived demand (gross output) per node, and the flows it implies.

The level-scheduled triangular solves of ``(I − A) x = d`` and ``(I − Bᵀ) y = r``
that every value-chain analysis uses live with the matrices in
:mod:`importsub.compile.matrices` (:class:`LevelSolver`, :func:`solver`,
:func:`gross_output`, :func:`need_units`); they are re-exported here.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt
import polars as pl
import scipy.sparse as sp

from importsub.analysis.result import Result, fingerprint
from importsub.compile.matrices import LevelSolver, gross_output, need_units, solver
from importsub.compile.network import FloatArray, Network
from importsub.compile.views import NODE_LABELS

Array = npt.NDArray[np.float64]

__all__ = [
    "LevelSolver",
    "dense_leontief",
    "derived_demand",
    "gross_output",
    "link_flow",
    "need_units",
    "node_frame",
    "requirement_by_part",
    "solver",
]


def derived_demand(net: Network, d: Array | None = None) -> Result:
    """Table of gross output per node: demand, derived need, capacity use.

    Columns: ``d [units/yr]`` final demand, ``x [units/yr]`` gross output,
    ``derived [units/yr]`` = x − d (output needed by buyers),
    ``capacity [units/yr]``, ``utilisation [%]`` = 100 · x / capacity,
    ``output [RUB/yr]`` = x · v.
    """
    dd = net.demand if d is None else np.asarray(d, dtype=np.float64)
    x = gross_output(net, dd)
    frame = node_frame(net).with_columns(
        pl.Series("d [units/yr]", dd),
        pl.Series("x [units/yr]", x),
        pl.Series("derived [units/yr]", x - dd),
        pl.Series("capacity [units/yr]", net.capacity),
        pl.Series("utilisation [%]", 100.0 * x / net.capacity),
        pl.Series("output [RUB/yr]", x * net.value),
    )
    return Result("demand", {"nodes": frame.sort("output [RUB/yr]", descending=True)}, fingerprint(net))


def node_frame(net: Network) -> pl.DataFrame:
    """One row per node with its labels: site, site name, organization, country, part, part name, category."""
    return net.nodes.select(NODE_LABELS)


def dense_leontief(net: Network, d: Array | None = None) -> FloatArray:
    """Baseline only (benchmarks, tests): ``x = inv(I − A) d`` with a dense inverse.

    This is the classic input–output approach (pymrio ``calc_L``); O(n²)
    memory and O(n³) time.  Never used by the analyses.
    """
    n = net.n_nodes
    Ld = np.linalg.inv(np.eye(n) - net.A.toarray())
    return Ld @ (net.demand if d is None else d)


def link_flow(net: Network, x: Array) -> FloatArray:
    """Units shipped on each supply link per year [units/yr]: ``σ_e · (need · x)_{g(e)}``."""
    return net.link_share * need_units(net, x)[net.link_group]


def requirement_by_part(net: Network, x: Array, mask: npt.NDArray[np.bool_] | None = None) -> FloatArray:
    """Gross requirement of every part by the BOM of (masked) nodes [units/yr].

    ``req[c] = Σ_j q[part_j, c] · x_j`` over nodes j (in ``mask``), whether
    or not the input is mapped to suppliers.
    """
    xs = x if mask is None else np.where(mask, x, 0.0)
    per_node = net.bom[net.node_part]  # n × parts
    return np.asarray(sp.csr_matrix(per_node).T @ xs, dtype=np.float64)
