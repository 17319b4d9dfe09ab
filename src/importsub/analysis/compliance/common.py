"""What every statutory regime shares: the rule in force for a product, thresholds by year and purpose,
product codes, registry entries valid on a date and the share of an input bought from qualifying producers.

Rules are the user's data (``rules``, ``rule_items``, ``rule_thresholds``); nothing here knows a points table.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from functools import cached_property
from typing import Any

import numpy as np
import polars as pl

from importsub.compile.matrices import solver
from importsub.compile.network import BoolArray, FloatArray, IntArray, Network

TOLERANCE = 1e-9
"""Shares within this of a limit meet it (floating-point sums of shares)."""


def evaluation_date(year: int) -> date:
    """The day a year is judged on: 1 January (a rule, threshold or registry entry must hold then)."""
    return date(year, 1, 1)


def digits(code: str | None) -> str | None:
    """A product code without dots and spaces (``29.32.30`` → ``293230``); None stays None."""
    if code is None:
        return None
    return "".join(c for c in code if c.isdigit()) or None


def prefix_related(a: str | None, b: str | None) -> bool:
    """Whether one code is a prefix of the other (a registry code of 10 digits and a part's heading of 4)."""
    if not a or not b:
        return False
    return a.startswith(b) or b.startswith(a)


def part_code(net: Network, p: int, kind: str) -> str | None:
    """A part's TN VED (else HS) code, or its OKPD2 code, as digits."""
    if kind == "okpd2":
        return digits(net.part_okpd2[p]) if net.part_okpd2 else None
    return digits(net.part_tnved[p]) if net.part_tnved else None


def code_matches_part(net: Network, p: int, code: str) -> bool:
    """Does an item's ``code`` name part ``p``: its id, a TN VED prefix (digits only) or an OKPD2 prefix (dotted)?"""
    if code == net.parts[p]:
        return True
    if "." in code:
        own = net.part_okpd2[p] if net.part_okpd2 else None
        return own is not None and own.startswith(code)
    if code.isdigit():
        own = net.part_tnved[p] if net.part_tnved else None
        return own is not None and own.startswith(code)
    return False


def in_range(code: str | None, low: str | None, high: str | None) -> bool:
    """``code`` cut to the length of each bound lies in ``[low, high]`` (no bound: every code)."""
    if low is None:
        return True
    if code is None:
        return False
    high = high or low
    return code[: len(low)] >= low and code[: len(high)] <= high


@dataclass(frozen=True)
class Context:
    """One network judged on one date for one country group: the shared look-ups of every regime."""

    net: Network
    year: int
    group: str

    @property
    def on(self) -> date:
        return evaluation_date(self.year)

    def table(self, name: str) -> pl.DataFrame:
        return self.net.statutory[name]

    @cached_property
    def inside(self) -> BoolArray:
        """Per node: made in the group."""
        return self.net.in_group(self.group)

    def rules(self, regime: str) -> list[dict[str, Any]]:
        """Rules of a regime in force on the date (effective_from ≤ date ≤ effective_to)."""
        rules = self.table("rules")
        if rules.height == 0:
            return []
        live = rules.filter(
            (pl.col("regime") == regime)
            & (pl.col("effective_from") <= self.on)
            & (pl.col("effective_to").is_null() | (pl.col("effective_to") >= self.on))
        )
        return list(live.iter_rows(named=True))

    def rule_for(self, regime: str, p: int) -> dict[str, Any] | None:
        """The rule of ``regime`` for part ``p``: the most specific code range (longest ``code_from``), then the
        latest ``effective_from``, then the id."""
        fits = [
            r
            for r in self.rules(regime)
            if in_range(part_code(self.net, p, r["code_kind"]), r["code_from"], r["code_to"])
        ]
        if not fits:
            return None
        return max(fits, key=lambda r: (len(r["code_from"] or ""), r["effective_from"], r["id"]))

    def thresholds(self, rule: str, purpose: str | None) -> list[tuple[str, float]]:
        """``(purpose, minimum)`` of a rule for the year: per purpose, the row of the latest year ≤ the year."""
        th = self.table("rule_thresholds")
        rows = th.filter((pl.col("rule") == rule) & (pl.col("year") <= self.year))
        if purpose is not None:
            rows = rows.filter(pl.col("purpose") == purpose)
        latest = rows.sort("year").group_by("purpose", maintain_order=True).last().sort("purpose")
        return list(zip(latest["purpose"].to_list(), latest["minimum"].to_list(), strict=True))

    def items(self, rule: str) -> list[dict[str, Any]]:
        items = self.table("rule_items")
        return list(items.filter(pl.col("rule") == rule).sort("item").iter_rows(named=True))

    @cached_property
    def _codes(self) -> dict[str, frozenset[int]]:
        return {}

    def parts_matching(self, code: str) -> frozenset[int]:
        """Parts an item's code names (cached per code)."""
        if code not in self._codes:
            net = self.net
            self._codes[code] = frozenset(p for p in range(len(net.parts)) if code_matches_part(net, p, code))
        return self._codes[code]

    def operations(self, j: int) -> dict[str, float]:
        """Operation code → share of volume at node ``j`` (its site and part)."""
        ops = self.table("site_operations")
        site, part = self.net.sites[self.net.node_site[j]], self.net.parts[self.net.node_part[j]]
        rows = ops.filter((pl.col("site") == site) & (pl.col("part") == part))
        return dict(zip(rows["operation"].to_list(), rows["share"].to_list(), strict=True))

    @cached_property
    def registered(self) -> BoolArray:
        """Per node: its organisation holds a registry entry for its part valid on the date.

        An entry belongs to an organisation by ``organization``, else by INN or OGRN; it is for the part named
        in ``part``, else for every part of that organisation whose TN VED or OKPD2 code is a prefix of the
        entry's (or the entry's of the part's).  Valid: ``doc_date`` ≤ date ≤ ``valid_until`` (empty: open).
        """
        net = self.net
        out = np.zeros(net.n_nodes, dtype=np.bool_)
        entries = self.table("registry_entries")
        if entries.height == 0 or net.n_nodes == 0:
            return out
        live = entries.filter(
            (pl.col("doc_date").is_null() | (pl.col("doc_date") <= self.on))
            & (pl.col("valid_until").is_null() | (pl.col("valid_until") >= self.on))
        )
        org_of = {o: k for k, o in enumerate(net.organizations)}
        by_inn = {v: k for k, v in enumerate(net.organization_inn) if v}
        by_ogrn = {v: k for k, v in enumerate(net.organization_ogrn) if v}
        node_org = net.site_org[net.node_site]
        nodes_of: dict[int, IntArray] = {}
        for e in live.iter_rows(named=True):
            org = org_of.get(e["organization"]) if e["organization"] else None
            org = org if org is not None else by_inn.get(e["inn"]) if e["inn"] else None
            if org is None and e["ogrn"]:
                org = by_ogrn.get(e["ogrn"])
            if org is None:
                continue
            if org not in nodes_of:
                nodes_of[org] = np.flatnonzero(node_org == org)
            for i in nodes_of[org]:
                p = int(net.node_part[i])
                if e["part"] is not None:
                    hit = e["part"] == net.parts[p]
                else:
                    hit = prefix_related(digits(e["tnved"]), part_code(net, p, "tnved")) or prefix_related(
                        digits(e["okpd2"]), part_code(net, p, "okpd2")
                    )
                out[i] = out[i] or hit
        return out


def input_units(net: Network, finals: Sequence[int] | IntArray) -> FloatArray:
    """Units of every node per unit of each final node, through every tier: ``(I − A) Y = E``, minus ``E``.

    Column ``k`` belongs to ``finals[k]``; ``Y[i, k]`` [units of i per unit of the final part] counts the
    inputs along every supply path (BOM quantity × share, multiplied down the tiers).
    """
    n = net.n_nodes
    idx = np.asarray(finals, dtype=np.int64)
    if idx.size == 0:
        return np.zeros((n, 0))
    E = np.zeros((n, idx.size))
    E[idx, np.arange(idx.size)] = 1.0
    Y = np.asarray(solver(net).x(E), dtype=np.float64)
    Y[idx, np.arange(idx.size)] -= 1.0
    return np.where(np.abs(Y) < 1e-12, 0.0, Y)


def qualifying_share(
    ctx: Context, units: FloatArray, code: str, qualifies: BoolArray
) -> tuple[float, float, list[int]]:
    """Of the units (one column of :func:`input_units`) of inputs matching ``code``, the share made by
    qualifying nodes: ``(share, total units, matching nodes)``; share 0 when no input matches."""
    net = ctx.net
    parts = ctx.parts_matching(code)
    nodes = [int(i) for i in np.flatnonzero(units > 0) if int(net.node_part[i]) in parts]
    total = float(sum(units[i] for i in nodes))
    good = float(sum(units[i] for i in nodes if qualifies[i]))
    return (good / total if total > 0 else 0.0), total, nodes


def node_row(net: Network, j: int) -> dict[str, Any]:
    """The labels of a node in a result row."""
    p = int(net.node_part[j])
    return {"site": net.sites[net.node_site[j]], "part": net.parts[p], "part name": net.part_names[p]}


def years_with_network(nets: Mapping[int, Network]) -> list[int]:
    return sorted(nets)
