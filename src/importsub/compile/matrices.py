"""The matrices of a supply network, each built in one place (linopy's ``matrices.py`` habit).

Notation (see :mod:`importsub.compile.network`): nodes ``i, j`` (n of them),
procurement groups ``g`` (m), links ``e`` from supplier node ``i(e)`` to group
``g(e)`` with share ``σ_e`` [fraction]; ``need[g, j]`` [units of g's part per
unit of j's part].

* ``S[i(e), g(e)] = σ_e`` (n × m) [fraction]: :func:`share_matrix`;
* ``A = S · need`` (n × n) [units of i per unit of j]: :func:`input_matrix`;
* ``P = S¹ · need¹`` (n × n, 0/1 pattern): the structural supplier → buyer graph,
  every link counted whatever its share (share-0 qualified alternatives too):
  :func:`structure_matrix`;
* ``B[i, j] = A[i, j] · v_i / v_j`` [RUB of i per RUB of j] and
  ``w_j = 1 − Σ_i B[i, j]`` [fraction]: :func:`value_share_matrix`, :func:`value_added`;
* ``level_j = 0`` without suppliers, else ``1 + max level of its suppliers``:
  :func:`node_levels`;
* gross output ``(I − A) x = d`` [units/yr] and ``(I − Bᵀ) y = r`` by level
  sweeps: :class:`LevelSolver`, :func:`gross_output`.

Every builder sums duplicates and drops explicit zeros.  The ``*_of`` functions
build the same matrices from a compiled :class:`Network`, optionally with a
replacement share vector (the portfolio model's what-ifs).

Level solves
------------
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
from collections.abc import Callable, Sequence

import numpy as np
import numpy.typing as npt
import scipy.sparse as sp

from importsub.compile.network import FloatArray, IntArray, Network
from importsub.model.errors import AnalysisError

Array = npt.NDArray[np.float64]
Label = Callable[[int], str]


# ---------------------------------------------------------------------------------------------- builders


def share_matrix(link_supplier: IntArray, link_group: IntArray, share: FloatArray, n: int, m: int) -> sp.csr_matrix:
    """``S[i(e), g(e)] = σ_e`` [fraction], shape (n nodes × m groups); repeated links summed,
    explicit zeros (share-0 alternatives) dropped.

    Examples
    --------
    >>> S = share_matrix(np.array([0, 1]), np.array([0, 0]), np.array([0.3, 0.7]), 3, 1)
    >>> S.toarray().ravel().tolist()
    [0.3, 0.7, 0.0]
    """
    S = sp.csr_matrix((share, (link_supplier, link_group)), shape=(n, m))
    S.sum_duplicates()
    S.eliminate_zeros()
    return S


def input_matrix(S: sp.csr_matrix, need: sp.csr_matrix) -> sp.csr_matrix:
    """``A = S · need`` [units of i per unit of j]: ``A[i, j] = Σ_e [i(e) = i] σ_e need[g(e), j]``.

    Duplicates summed, explicit zeros dropped, indices sorted (CSR, n × n).

    Examples
    --------
    >>> S = sp.csr_matrix(np.array([[0.0], [1.0]]))      # node 1 supplies group 0 fully
    >>> need = sp.csr_matrix(np.array([[2.0, 0.0]]))     # group 0: 2 units per unit of node 0
    >>> input_matrix(S, need).toarray().tolist()
    [[0.0, 0.0], [2.0, 0.0]]
    """
    A = (S @ need).tocsr()
    A.sum_duplicates()
    A.eliminate_zeros()
    A.sort_indices()
    return A


def structure_matrix(link_supplier: IntArray, link_group: IntArray, need: sp.csr_matrix) -> sp.csr_matrix:
    """Structural supplier → buyer graph ``P = S¹ · need¹`` (n × n), ``P[i, j] > 0`` when some link of
    ``i`` serves a group that node ``j`` needs, whatever the link's share (share 0 included).

    ``S¹`` is :func:`share_matrix` with every share 1 and ``need¹`` the pattern of ``need``;
    ``P[i, j]`` counts such (link, need) pairs.
    """
    n = int(need.shape[1])
    S1 = share_matrix(link_supplier, link_group, np.ones(link_group.size), n, int(need.shape[0]))
    need1 = need.copy()
    need1.data[:] = 1.0
    P = (S1 @ need1).tocsr()
    P.sum_duplicates()
    return P


def value_share_matrix(A: sp.csr_matrix, value: FloatArray) -> sp.csr_matrix:
    """``B[i, j] = A[i, j] · v_i / v_j`` [RUB of i per RUB of j] (same pattern as ``A``, CSR)."""
    n = A.shape[0]
    rows = np.repeat(np.arange(n, dtype=np.int64), np.diff(A.indptr))
    return sp.csr_matrix((A.data * value[rows] / value[A.indices], A.indices.copy(), A.indptr.copy()), shape=(n, n))


def value_added(B: sp.csr_matrix) -> FloatArray:
    """Own value added ``w_j = 1 − Σ_i B[i, j]`` [fraction of v_j]."""
    n = B.shape[0]
    return (1.0 - np.bincount(B.indices, weights=B.data, minlength=n)).astype(np.float64)


def node_levels(P: sp.csr_matrix, label: Label | None = None) -> IntArray:
    """Level of every node in the supplier → buyer graph ``P`` (Kahn, a level at a time).

    ``level_j = 0`` for a node without suppliers, else ``1 + max level of its
    suppliers``.  Cost O(nnz + levels · n), vectorised per level.  A cycle
    raises AnalysisError naming its nodes (``label(i)``, default ``node i``).

    Examples
    --------
    >>> P = sp.csr_matrix(np.array([[0, 1, 1], [0, 0, 1], [0, 0, 0]]))  # 0 → 1 → 2, 0 → 2
    >>> node_levels(P).tolist()
    [0, 1, 2]
    """
    n = P.shape[0]
    P = P.tocsr()
    indeg = np.bincount(P.indices, minlength=n).astype(np.int64)
    level = np.full(n, -1, dtype=np.int64)
    frontier = np.flatnonzero(indeg == 0)
    k = 0
    while frontier.size:
        level[frontier] = k
        succ = P[frontier].indices
        if succ.size == 0:
            break
        dec = np.bincount(succ, minlength=n)
        indeg -= dec
        frontier = np.flatnonzero((dec > 0) & (indeg == 0))
        k += 1
    left = np.flatnonzero(level < 0)
    if left.size:
        name = label if label is not None else (lambda i: f"node {i}")
        raise AnalysisError(
            "supply cycle (a node supplies itself through other nodes): " + " → ".join(_cycle(P, left, name))
        )
    return level


def topological_order(level: IntArray) -> IntArray:
    """Nodes by level, suppliers first (stable: ties keep node order)."""
    return np.argsort(level, kind="stable").astype(np.int64)


def _cycle(P: sp.csr_matrix, left: IntArray, label: Label) -> list[str]:
    """One supplier → buyer cycle among the unresolved nodes ``left`` (the strongly connected component
    finder of :mod:`importsub.model.graph`, shared with the BOM check)."""
    from importsub.model.graph import cycles

    inside = np.zeros(P.shape[0], dtype=np.bool_)
    inside[left] = True
    C = P.tocoo()
    keep = inside[C.row] & inside[C.col]
    found = cycles(P.shape[0], C.row[keep], C.col[keep], limit=1)
    return [label(i) for i in found[0]]


# ---------------------------------------------------------------------------------------------- of a network


def share_matrix_of(net: Network, share: FloatArray | None = None) -> sp.csr_matrix:
    """``S`` of a network [fraction], with ``share`` (one value per link) replacing ``net.link_share``."""
    sigma = net.link_share if share is None else np.asarray(share, dtype=np.float64)
    return share_matrix(net.link_supplier, net.link_group, sigma, net.n_nodes, int(net.need.shape[0]))


def input_matrix_of(net: Network, share: FloatArray | None = None) -> sp.csr_matrix:
    """``A = S · need`` of a network [units of i per unit of j]; ``net.A`` itself when ``share`` is None."""
    if share is None:
        return net.A
    return input_matrix(share_matrix_of(net, share), net.need)


def structure_matrix_of(net: Network) -> sp.csr_matrix:
    """The structural graph ``P`` of a network (every link, share 0 included)."""
    return structure_matrix(net.link_supplier, net.link_group, net.need)


# ---------------------------------------------------------------------------------------------- level solves


def _blocks(levels: Sequence[IntArray], M: sp.csr_matrix) -> list[tuple[IntArray, sp.csr_matrix]]:
    """Rows of ``M`` of each level, empty blocks skipped."""
    out = [(idx, M[idx]) for idx in levels]
    return [(i, blk) for i, blk in out if blk.nnz]


class LevelSolver:
    """Level-scheduled solves of ``(I − A) x = d`` and ``(I − Bᵀ) y = r`` on one network.

    Built once per network (see :func:`solver`): the rows of ``A`` and of
    ``Bᵀ`` belonging to each level are sliced out in advance.  ``A`` may be
    given (same pattern of links, other shares: :func:`input_matrix_of`);
    ``y`` always uses the network's ``B``.
    """

    def __init__(self, net: Network, A: sp.csr_matrix | None = None) -> None:
        self.n = net.n_nodes
        self.levels: tuple[IntArray, ...] = net.levels
        BT = net.B.T.tocsr()
        self.BT = BT
        # skip empty blocks: level-0 nodes have no suppliers (Bᵀ rows empty),
        # top nodes have no buyers (A rows empty)
        self._A_blocks = _blocks(self.levels, (net.A if A is None else A).tocsr())
        self._BT_blocks = _blocks(self.levels, BT)

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


def gross_output(net: Network, d: Array | None = None, *, share: FloatArray | None = None) -> FloatArray:
    """Gross output ``x`` [units/yr] from final demand: ``x = A x + d``, i.e. ``(I − A) x = d``.

    Parameters
    ----------
    net : Network
    d : array, optional
        Final demand [units/yr] per node (or an (n, k) matrix of k demand
        vectors).  Default: the network's demand of its year.
    share : array, optional
        Link shares [fraction] replacing ``net.link_share`` (``A`` rebuilt from
        them, not cached); the links and levels stay the network's.

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
    dd = net.demand if d is None else d
    if share is None:
        return solver(net).x(dd)
    return LevelSolver(net, input_matrix_of(net, share)).x(dd)


def need_units(net: Network, x: Array) -> FloatArray:
    """Units of each procurement group's part needed per year [units/yr]: ``need · x``."""
    return np.asarray(net.need @ x, dtype=np.float64)
