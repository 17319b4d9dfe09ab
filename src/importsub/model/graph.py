"""Cycles of a directed graph: the one finder behind the BOM check and the compile-time supply check.

A cycle exists exactly where a strongly connected component has more than one
node, or a node has an edge to itself.  :func:`cycles` finds the components
(Tarjan-style, in C, by :func:`scipy.sparse.csgraph.connected_components`
with ``connection="strong"``) and names one shortest cycle through the lowest
node of each (a breadth-first search inside the component), so a cycle whose
nodes also have other children or parents is still found and named.

Examples
--------
>>> import numpy as np
>>> cycles(4, np.array([0, 1, 2, 2, 3]), np.array([1, 2, 0, 3, 3]))
[[0, 1, 2, 0], [3, 3]]
"""

from __future__ import annotations

from collections import deque
from typing import Any

import numpy as np
import numpy.typing as npt
import scipy.sparse as sp
from scipy.sparse.csgraph import connected_components

IntArray = npt.NDArray[np.int64]


def cycles(n: int, src: npt.ArrayLike, dst: npt.ArrayLike, *, limit: int | None = None) -> list[list[int]]:
    """One cycle per cyclic strongly connected component of the graph ``src[k] → dst[k]`` on ``n`` nodes.

    Each cycle is a node list that starts and ends at the lowest node of its
    component (``[a, b, c, a]``; a self-loop is ``[a, a]``); cycles are
    ordered by that node.  ``limit`` stops after that many cycles.  Cost
    O(n + m) for the components plus the size of each searched component.
    """
    s = np.asarray(src, dtype=np.int64)
    d = np.asarray(dst, dtype=np.int64)
    if n == 0 or s.size == 0:
        return []
    G = sp.csr_matrix((np.ones(s.size, dtype=np.int8), (s, d)), shape=(n, n))
    G.sum_duplicates()
    _, comp = connected_components(G, directed=True, connection="strong")
    sizes = np.bincount(comp)
    looped = np.zeros(n, dtype=np.bool_)
    looped[s[s == d]] = True
    # every node of a component of >= 2 nodes lies on a cycle; a lone node only with a self-loop
    cyclic = (sizes[comp] > 1) | looped
    found: list[list[int]] = []
    done: set[int] = set()
    for start in np.flatnonzero(cyclic).tolist():
        c = int(comp[start])
        if c in done:
            continue
        done.add(c)
        found.append(_cycle_through(G, comp, start))
        if limit is not None and len(found) >= limit:
            break
    return found


def _cycle_through(G: sp.csr_matrix, comp: npt.NDArray[Any], start: int) -> list[int]:
    """Shortest cycle through ``start`` inside its component (breadth-first, edges within the component)."""
    indptr, indices = G.indptr, G.indices
    own = comp[start]
    parent: dict[int, int] = {start: -1}
    queue = deque([start])
    while queue:
        u = queue.popleft()
        for v in indices[indptr[u] : indptr[u + 1]].tolist():
            if v == start:
                path = [u]
                while parent[path[-1]] != -1:
                    path.append(parent[path[-1]])
                return [*path[::-1], start]
            if v not in parent and comp[v] == own:
                parent[v] = u
                queue.append(v)
    raise AssertionError("a node of a cyclic component lies on a cycle")  # pragma: no cover


__all__ = ["cycles"]
