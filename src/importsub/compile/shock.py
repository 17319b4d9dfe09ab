"""A scenario's disruptions as arrays on a :class:`~importsub.compile.network.Network`.

This is the one place where disruption arrays are built.  A :class:`Shock`
holds, for every node and every supply link, a *loss profile* over time
``τ`` [weeks] from the start of the disruption:

``ℓ(τ) = s``                          for ``0 ≤ τ < D``           (severity ``s``, duration ``D``)
``ℓ(τ) = s · (1 − (τ − D) / R)``     for ``D ≤ τ < D + R``        (linear recovery over ``R`` weeks)
``ℓ(τ) = 0``                          afterwards.

``ℓ`` is the fraction of capacity lost at time ``τ``.  Recovery ``instant``
means ``R = 0`` (full capacity at the end of the disruption); ``linear`` means
the node ramps back linearly over its own ``time_to_recover`` (production
record) after the disruption ends.  For a link, ``linear`` ramps over the
supplier node's time to recover.

Over a window of ``t`` weeks the capacity-weeks lost are
``L(t) = ∫₀ᵗ ℓ(τ) dτ = s · min(t, D) + s · (v − v² / (2R))`` with
``v = min(max(t − D, 0), R)``, and the *available fraction* of the window is
``a(t) = 1 − L(t) / t`` (``a(0) = 1``).

When several disruptions hit one node (a site inside a disrupted country,
say) its profile is the envelope: the largest severity, duration and ramp of
those disruptions.  The envelope is ≥ each profile at every ``τ``, so losses
are never understated, and it is exact when one disruption hits the node.

Targets (``target_kind`` of a ``disruptions`` row):

* ``group`` — every node at a site whose country is in the country group;
* ``country`` — every node at a site in that country (ISO2);
* ``organization`` — every node at a site of that organization;
* ``site`` — every node at that site;
* ``part`` — every node making that part (all producers of the part);
* ``link`` — one supply link, written ``buyer|part|supplier``.

A target that matches nothing in the network raises
:class:`~importsub.model.errors.AnalysisError` naming the disruption row.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import polars as pl

from importsub.compile.network import BoolArray, FloatArray, IntArray, Network
from importsub.model.dataset import Dataset
from importsub.model.errors import AnalysisError

WEEKS_PER_YEAR = 52.0
"""Weeks in a year: capacity over a window of ``t`` weeks is ``capacity · t / 52``."""


def lost_weeks(severity: FloatArray, duration: FloatArray, ramp: FloatArray, t: float) -> FloatArray:
    """Capacity-weeks lost over a window of ``t`` weeks, ``L(t) = ∫₀ᵗ ℓ(τ) dτ`` [weeks].

    Parameters
    ----------
    severity : array [fraction]
        ``s`` of each item (0 = not hit).
    duration : array [weeks]
        ``D``: weeks at ``1 − s`` of capacity.
    ramp : array [weeks]
        ``R``: weeks of linear recovery after ``D`` (0 = instant).
    t : float [weeks]
        Window length.

    Returns
    -------
    numpy.ndarray
        ``s · min(t, D) + s · (v − v²/(2R))`` with ``v = min(max(t − D, 0), R)``.

    Examples
    --------
    >>> import numpy as np
    >>> lost_weeks(np.array([1.0]), np.array([4.0]), np.array([2.0]), 10.0).tolist()  # 4 + 1
    [5.0]
    """
    s = np.asarray(severity, dtype=np.float64)
    d = np.asarray(duration, dtype=np.float64)
    r = np.asarray(ramp, dtype=np.float64)
    t = float(t)
    flat = s * np.minimum(t, d)
    v = np.minimum(np.maximum(t - d, 0.0), r)
    with np.errstate(divide="ignore", invalid="ignore"):
        tail = np.where(r > 0, v - v * v / (2.0 * np.where(r > 0, r, 1.0)), 0.0)
    return flat + s * tail


@dataclass(frozen=True, eq=False)
class Shock:
    """Disruption profiles of every node and link of one network.

    Attributes
    ----------
    name : str
        Scenario name (or a description such as ``node 12``).
    node_severity, node_duration, node_ramp : FloatArray
        ``s`` [fraction], ``D`` [weeks], ``R`` [weeks] per node (0 where not hit).
    link_severity, link_duration, link_ramp : FloatArray
        The same per supply link (a cut route; see :meth:`link_available`).
    window : float [weeks]
        Default window of the TTR model: the longest ``D + R`` of any hit
        item (0 when nothing is hit).
    targets : pl.DataFrame
        One row per disruption: kind, target, severity, duration, recovery and
        how many nodes / links it hit.

    Examples
    --------
    >>> import numpy as np
    >>> s = Shock("x", np.array([0.5]), np.array([4.0]), np.array([0.0]),
    ...           np.zeros(0), np.zeros(0), np.zeros(0), 4.0)
    >>> s.node_available(8.0).tolist()   # half of the capacity for 4 of 8 weeks
    [0.75]
    """

    name: str
    node_severity: FloatArray
    node_duration: FloatArray
    node_ramp: FloatArray
    link_severity: FloatArray
    link_duration: FloatArray
    link_ramp: FloatArray
    window: float
    targets: pl.DataFrame = field(default_factory=pl.DataFrame)

    # ------------------------------------------------------------ constructors

    @classmethod
    def none(cls, network: Network, name: str = "baseline") -> Shock:
        """No disruption (the undisrupted baseline)."""
        n, e = network.n_nodes, network.n_links
        z = np.zeros
        return cls(name, z(n), z(n), z(n), z(e), z(e), z(e), 0.0)

    @classmethod
    def nodes(
        cls,
        network: Network,
        nodes: Sequence[int] | IntArray,
        severity: float | FloatArray = 1.0,
        weeks: float | FloatArray | None = None,
        *,
        recovery: str = "instant",
        name: str | None = None,
    ) -> Shock:
        """Disrupt some nodes.

        Parameters
        ----------
        network : Network
        nodes : indices of nodes
        severity : float or array [fraction]
            Fraction of capacity lost (per node or one for all).
        weeks : float or array [weeks], optional
            Duration ``D``; default: each node's own time to recover
            (``network.ttr``), so that ``window`` = the longest of them.
        recovery : ``instant`` or ``linear``
            ``linear`` ramps back over each node's time to recover after ``D``.
        """
        idx = np.asarray(nodes, dtype=np.int64).reshape(-1)
        n, e = network.n_nodes, network.n_links
        if idx.size and (idx.min() < 0 or idx.max() >= n):
            raise AnalysisError(f"node index out of range 0..{n - 1}: {idx.tolist()[:5]}")
        sev = np.zeros(n)
        dur = np.zeros(n)
        ramp = np.zeros(n)
        s_val = np.broadcast_to(np.asarray(severity, dtype=np.float64), idx.shape)
        w_val = network.ttr[idx] if weeks is None else np.broadcast_to(np.asarray(weeks, dtype=np.float64), idx.shape)
        _check_values(s_val, w_val, name or "nodes")
        if recovery not in ("instant", "linear"):
            raise AnalysisError(f"unknown recovery profile {recovery!r}; choose instant or linear")
        r_val = network.ttr[idx] if recovery == "linear" else np.zeros(idx.size)
        np.maximum.at(sev, idx, s_val)
        np.maximum.at(dur, idx, w_val)
        np.maximum.at(ramp, idx, r_val)
        hit = sev > 0
        window = float(np.max((dur + ramp)[hit])) if hit.any() else 0.0
        label = name or (f"node {network.node_label(int(idx[0]))}" if idx.size == 1 else f"{idx.size} nodes")
        return cls(label, sev, dur, ramp, np.zeros(e), np.zeros(e), np.zeros(e), window)

    @classmethod
    def single_node(
        cls, network: Network, i: int, severity: float = 1.0, weeks: float | None = None, *, recovery: str = "instant"
    ) -> Shock:
        """Node ``i`` loses ``severity`` of its capacity for ``weeks`` (default: its time to recover)."""
        return cls.nodes(network, [i], severity, weeks, recovery=recovery)

    @classmethod
    def from_availability(cls, network: Network, available: FloatArray, t_weeks: float, name: str = "sample") -> Shock:
        """A shock whose nodes keep ``available`` [fraction] of their capacity over a window of ``t_weeks``.

        Node j gets ``s = 1 − available_j`` for the whole window (``D = t``),
        so that :meth:`node_available` (``t``) returns ``available`` exactly.
        """
        a = np.asarray(available, dtype=np.float64)
        if a.shape != (network.n_nodes,) or np.any(~np.isfinite(a)) or np.any(a < 0) or np.any(a > 1):
            raise AnalysisError("availability must be one fraction in [0, 1] per node")
        sev = 1.0 - a
        hit = sev > 0
        dur = np.where(hit, float(t_weeks), 0.0)
        e = network.n_links
        return cls(
            name,
            sev,
            dur,
            np.zeros(a.size),
            np.zeros(e),
            np.zeros(e),
            np.zeros(e),
            float(t_weeks) if hit.any() else 0.0,
        )

    # ------------------------------------------------------------ derived arrays

    @property
    def hit_nodes(self) -> IntArray:
        """Nodes that lose some capacity (``s > 0`` and ``D + R > 0``)."""
        return np.flatnonzero((self.node_severity > 0) & (self.node_duration + self.node_ramp > 0))

    @property
    def hit_links(self) -> IntArray:
        """Links that are cut for some time."""
        return np.flatnonzero((self.link_severity > 0) & (self.link_duration + self.link_ramp > 0))

    def node_lost_weeks(self, t: float) -> FloatArray:
        """``L_j(t)`` [weeks] of every node (see module docstring)."""
        return lost_weeks(self.node_severity, self.node_duration, self.node_ramp, t)

    def node_available(self, t: float) -> FloatArray:
        """Available fraction of capacity over a window of ``t`` weeks: ``a_j = 1 − L_j(t)/t`` [fraction]."""
        if t <= 0:
            return np.ones(self.node_severity.size)
        return np.clip(1.0 - self.node_lost_weeks(t) / t, 0.0, 1.0)

    def link_available(self, t: float) -> FloatArray:
        """Available fraction of a link's time over the window, ``1 − L_e(t)/t`` [fraction].

        A cut link ``e`` may carry at most ``a_e · capacity_{i(e)} · t/52``
        units over the window (the supplier's output while the route is open).
        """
        if t <= 0:
            return np.ones(self.link_severity.size)
        return np.clip(1.0 - lost_weeks(self.link_severity, self.link_duration, self.link_ramp, t) / t, 0.0, 1.0)

    def describe(self) -> dict[str, Any]:
        """Short provenance for fingerprints."""
        return {
            "shock": self.name,
            "nodes hit": int(self.hit_nodes.size),
            "links cut": int(self.hit_links.size),
            "shock window [weeks]": self.window,
        }


def _check_values(severity: FloatArray, weeks: FloatArray, what: str) -> None:
    if np.any(~np.isfinite(severity)) or np.any(severity < 0) or np.any(severity > 1):
        raise AnalysisError(f"{what}: severity must be a fraction in [0, 1]")
    if np.any(np.isnan(weeks)) or np.any(weeks < 0):
        raise AnalysisError(f"{what}: duration must be ≥ 0 weeks")


def target_nodes(network: Network, kind: str, target: str) -> BoolArray:
    """Mask of the nodes a ``(target_kind, target)`` hits (``link`` → an empty mask).

    Raises
    ------
    AnalysisError
        Unknown country group, country, organization, site or part.
    """
    n = network.n_nodes
    if kind == "group":
        if target not in network.groups:
            raise AnalysisError(f"unknown country group {target!r}; groups: {', '.join(sorted(network.groups))}")
        return network.in_group(target)
    if kind == "country":
        if target not in network.countries:
            raise AnalysisError(f"unknown country {target!r}; countries: {', '.join(network.countries)}")
        return network.node_country == network.countries.index(target)
    if kind == "organization":
        if target not in network.organizations:
            raise AnalysisError(f"unknown organization {target!r}")
        return network.site_org[network.node_site] == network.organizations.index(target)
    if kind == "site":
        if target not in network.sites:
            raise AnalysisError(f"unknown site {target!r}")
        return network.node_site == network.sites.index(target)
    if kind == "part":
        if target not in network.parts:
            raise AnalysisError(f"unknown part {target!r}")
        return network.node_part == network.parts.index(target)
    if kind == "link":
        return np.zeros(n, dtype=np.bool_)
    raise AnalysisError(f"unknown target kind {kind!r}; kinds: group, country, organization, site, part, link")


def target_link(network: Network, target: str) -> int:
    """Index of the supply link written ``buyer|part|supplier``."""
    pieces = target.split("|")
    if len(pieces) != 3:
        raise AnalysisError(f"a link target is written buyer|part|supplier, not {target!r}")
    buyer, part, supplier = (p.strip() for p in pieces)
    try:
        b = network.sites.index(buyer)
        p = network.parts.index(part)
        i = network.node_index[(supplier, part)]
    except (ValueError, KeyError):
        raise AnalysisError(f"no supply link {buyer} ← {supplier} of part {part} in this network") from None
    hit = np.flatnonzero(
        (network.group_site[network.link_group] == b)
        & (network.group_part[network.link_group] == p)
        & (network.link_supplier == i)
    )
    if hit.size == 0:
        raise AnalysisError(f"no supply link {buyer} ← {supplier} of part {part} in this network")
    return int(hit[0])


def compile_shock(ds: Dataset, network: Network, scenario: str) -> Shock:
    """The disruptions of ``scenario`` (rows of ``ds.disruptions``) as a :class:`Shock` on ``network``.

    Parameters
    ----------
    ds : Dataset
        The dataset the network was compiled from.
    network : Network
        Compiled from ``ds`` (index maps are looked up by key).
    scenario : str
        Name of a row of ``ds.scenarios``.

    Returns
    -------
    Shock
        Per node and link: severity [fraction], duration [weeks], recovery
        ramp [weeks] (the node's time to recover when ``recovery = linear``),
        envelope where disruptions overlap; ``targets`` lists each row and
        how many nodes/links it hit.

    Raises
    ------
    AnalysisError
        Unknown scenario; a row whose target is unknown or hits no node
        (the message names the row: ``scenario, kind, target``).

    Examples
    --------
    >>> from importsub.demo import load  # doctest: +SKIP
    >>> from importsub.compile import compile  # doctest: +SKIP
    >>> ds = load(); net = compile(ds, "cn-8w")  # doctest: +SKIP
    >>> compile_shock(ds, net, "cn-8w").window  # doctest: +SKIP
    8.0
    """
    known = ds.scenarios.get_column("name").to_list()
    if scenario not in known:
        raise AnalysisError(f"unknown scenario {scenario!r}; scenarios: {', '.join(known) if known else 'none'}")
    rows = ds.disruptions.filter(pl.col("scenario") == scenario)
    n, e = network.n_nodes, network.n_links
    sev, dur, ramp = np.zeros(n), np.zeros(n), np.zeros(n)
    lsev, ldur, lramp = np.zeros(e), np.zeros(e), np.zeros(e)
    report: list[dict[str, Any]] = []
    for k, row in enumerate(rows.iter_rows(named=True), start=1):
        kind, target = str(row["target_kind"]), str(row["target"])
        s = 1.0 if row["severity"] is None else float(row["severity"])
        d = float(row["duration"])
        recovery = row["recovery"] or "instant"
        where = f"scenario {scenario!r}, disruption {k} ({kind} {target!r})"
        if not (0.0 <= s <= 1.0) or not np.isfinite(d) or d < 0:
            raise AnalysisError(f"{where}: severity must be in [0, 1] and duration ≥ 0 weeks")
        if recovery not in ("instant", "linear"):
            raise AnalysisError(f"{where}: unknown recovery profile {recovery!r}")
        try:
            if kind == "link":
                li = target_link(network, target)
                r = float(network.ttr[network.link_supplier[li]]) if recovery == "linear" else 0.0
                lsev[li] = max(lsev[li], s)
                ldur[li] = max(ldur[li], d)
                lramp[li] = max(lramp[li], r)
                hit_nodes, hit_links = 0, 1
            else:
                mask = target_nodes(network, kind, target)
                if not mask.any():
                    raise AnalysisError("it matches no producing node in this network")
                idx = np.flatnonzero(mask)
                np.maximum.at(sev, idx, s)
                np.maximum.at(dur, idx, d)
                if recovery == "linear":
                    np.maximum.at(ramp, idx, network.ttr[idx])
                hit_nodes, hit_links = int(idx.size), 0
        except AnalysisError as exc:
            raise AnalysisError(f"{where}: {exc}") from None
        report.append(
            {
                "kind": kind,
                "target": target,
                "severity [fraction]": s,
                "duration [weeks]": d,
                "recovery": recovery,
                "nodes hit": hit_nodes,
                "links cut": hit_links,
            }
        )
    hit = (sev > 0) & (dur + ramp > 0)
    lhit = (lsev > 0) & (ldur + lramp > 0)
    window = max(
        float(np.max((dur + ramp)[hit])) if hit.any() else 0.0,
        float(np.max((ldur + lramp)[lhit])) if lhit.any() else 0.0,
    )
    targets = pl.DataFrame(
        report,
        schema={
            "kind": pl.String,
            "target": pl.String,
            "severity [fraction]": pl.Float64,
            "duration [weeks]": pl.Float64,
            "recovery": pl.String,
            "nodes hit": pl.Int64,
            "links cut": pl.Int64,
        },
    )
    return Shock(scenario, sev, dur, ramp, lsev, ldur, lramp, window, targets)
