"""Derived demand (gross output) and the level-scheduled triangular solves that
every value-chain analysis uses.

The supply network is acyclic, so after ordering nodes by level (suppliers
first) ``I − A`` and ``I − Bᵀ`` are triangular with unit diagonal.  Instead
of a general sparse LU (which fills in badly on these graphs) or an explicit
Leontief inverse, we sweep level by level:

* ``(I − A) x = d``: ``x_i = d_i + Σ_j A[i, j] x_j``, buyers before suppliers
  (levels in decreasing order); the buyers j of a level-k node all have
  levels > k, so each level is one sparse product.
* ``(I − Bᵀ) y = r``: ``y_j = r_j + Σ_i B[i, j] y_i``, suppliers before
  buyers (levels in increasing order).

Work and memory are O(nnz(A) + n · levels) per right-hand side; several
right-hand sides (columns of a 2-D ``r``) are solved together.
"""

from __future__ import annotations

import weakref

import numpy as np
import numpy.typing as npt
import polars as pl
import scipy.sparse as sp

from importsub.analysis.result import Result, fingerprint
from importsub.compile.network import FloatArray, IntArray, Network
from importsub.compile.views import NODE_LABELS

Array = npt.NDArray[np.float64]


class LevelSolver:
    """Level-scheduled solves of ``(I − A) x = d`` and ``(I − Bᵀ) y = r`` on one network.

    Built once per network (see :func:`solver`): the rows of ``A`` and of
    ``Bᵀ`` belonging to each level are sliced out in advance.
    """

    def __init__(self, net: Network) -> None:
        self.n = net.n_nodes
        self.levels: tuple[IntArray, ...] = net.levels
        A = net.A.tocsr()
        BT = net.B.T.tocsr()
        self.BT = BT
        # skip empty blocks: level-0 nodes have no suppliers (Bᵀ rows empty),
        # top nodes have no buyers (A rows empty)
        self._A_blocks = [(idx, A[idx]) for idx in self.levels]
        self._BT_blocks = [(idx, BT[idx]) for idx in self.levels]
        self._A_blocks = [(i, blk) for i, blk in self._A_blocks if blk.nnz]
        self._BT_blocks = [(i, blk) for i, blk in self._BT_blocks if blk.nnz]

    def x(self, d: Array) -> Array:
        """Solve ``(I − A) x = d`` (``d`` of shape (n,) or (n, k)) [units/yr]."""
        x = np.array(d, dtype=np.float64, copy=True)
        for idx, block in reversed(self._A_blocks):
            x[idx] += block @ x
        return x

    def y(self, r: Array) -> Array:
        """Solve ``(I − Bᵀ) y = r`` (``r`` of shape (n,) or (n, k))."""
        y = np.array(r, dtype=np.float64, copy=True)
        for idx, block in self._BT_blocks:
            y[idx] += block @ y
        return y


_SOLVERS: weakref.WeakKeyDictionary[Network, LevelSolver] = weakref.WeakKeyDictionary()


def solver(net: Network) -> LevelSolver:
    """The (cached) :class:`LevelSolver` of a network."""
    s = _SOLVERS.get(net)
    if s is None:
        s = LevelSolver(net)
        _SOLVERS[net] = s
    return s


def gross_output(net: Network, d: Array | None = None) -> FloatArray:
    """Gross output ``x`` [units/yr] from final demand: ``x = A x + d``, i.e. ``(I − A) x = d``.

    Parameters
    ----------
    net : Network
    d : array, optional
        Final demand [units/yr] per node (or an (n, k) matrix of k demand
        vectors).  Default: the network's demand of its year.

    Returns
    -------
    numpy.ndarray
        ``x`` with the shape of ``d``; ``x_i`` is what node i must make so that
        every final demand and every buyer's need (BOM quantity × share) is met.

    Examples
    --------
    >>> # a car needs 2 lamps: x_lamp = 2 · x_car
    >>> # see tests/test_demand.py for worked networks
    """
    return solver(net).x(net.demand if d is None else d)


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


def need_units(net: Network, x: Array) -> FloatArray:
    """Units of each procurement group's part needed per year [units/yr]: ``need · x``."""
    return np.asarray(net.need @ x, dtype=np.float64)


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
