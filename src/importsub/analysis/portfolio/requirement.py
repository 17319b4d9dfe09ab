"""A statutory requirement in the portfolio: "every model meets its threshold in year Y" (``--require pp719:2028``).

For each final model ``m`` with a rule of the regime in force on 1 January of ``Y`` and a threshold ``T`` (per
purpose, or the one asked for), the items of the rule are grouped into *units*: an item, or all items sharing
an ``all_of`` label, worth ``P_u`` points when met.  ``s⁰`` is the score without projects (the network of the
portfolio year; rules, thresholds and registry entries of ``Y``).  A unit not met without projects is met by
a chosen set when every one of its unmet items is met by some chosen option *alone*
(:func:`importsub.analysis.compliance.pp719.item_outcome` on the network with that option applied):

``Σ_u P_u z_u ≥ T − s⁰``,   ``0 ≤ z_u ≤ 1``,   ``z_u ≤ Σ_{o meets item k alone} y_o`` for each unmet item ``k`` of ``u``

(``z_u`` fixed at 0 when no option meets an item).  Points earned per step (R&D) keep their value without
projects.  The rows hold for the MIP; a set with ``y`` fixed (the greedy comparison, marginal contributions) is
evaluated without them.  The chosen set is then judged exactly (:func:`exact_scores`): the network with all
chosen projects applied, every item re-evaluated; the ``requirement`` table shows both.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import polars as pl

from importsub.analysis.compliance.common import Context, input_units, node_row
from importsub.analysis.compliance.pp719 import item_outcome, score, score_items
from importsub.analysis.portfolio.assembly import _Builder
from importsub.analysis.portfolio.choices import Option
from importsub.compile.network import Network
from importsub.compile.projects import compile_with_projects
from importsub.model.dataset import Dataset
from importsub.model.errors import AnalysisError

POINT_REGIMES = ("pp719", "eaeu105")
SCHEMA: dict[str, Any] = {
    "site": pl.String, "part": pl.String, "part name": pl.String, "regime": pl.String, "year": pl.Int64,
    "purpose": pl.String, "threshold [points]": pl.Float64, "score without projects [points]": pl.Float64,
    "score [points]": pl.Float64, "pass": pl.Boolean,
}  # fmt: skip
"""Columns of the ``requirement`` table."""


@dataclass(frozen=True)
class Requirement:
    """``regime:year[:purpose]``, e.g. ``pp719:2028`` or ``pp719:2028:procurement``."""

    regime: str
    year: int
    purpose: str | None = None

    @classmethod
    def parse(cls, text: str) -> Requirement:
        parts = text.split(":")
        if len(parts) not in (2, 3) or parts[0] not in POINT_REGIMES or not parts[1].isdigit():
            raise AnalysisError(
                f"--require {text!r}: give REGIME:YEAR[:PURPOSE] with REGIME one of {', '.join(POINT_REGIMES)}, "
                "e.g. pp719:2028 or pp719:2028:procurement"
            )
        return cls(parts[0], int(parts[1]), parts[2] if len(parts) == 3 and parts[2] else None)

    @property
    def label(self) -> str:
        return f"{self.regime}:{self.year}" + (f":{self.purpose}" if self.purpose else "")


@dataclass
class Target:
    """One model and purpose the requirement covers."""

    site: str
    part: str
    purpose: str
    threshold: float
    base: float  # s⁰ [points]


@dataclass
class RequirementBlock:
    """The rows of the requirement in the MIP (their lower bounds are set per solve) and what they cover."""

    requirement: Requirement
    targets: list[Target] = field(default_factory=list)
    rows: list[int] = field(default_factory=list)
    lo: list[float] = field(default_factory=list)
    # per target row: [(P_u, [option sets, one per unmet item of the unit])]
    units: list[list[tuple[float, list[set[int]]]]] = field(default_factory=list)

    def holds(self, chosen: set[int]) -> bool:
        """The linear rows for a set of options (``y`` of the set, ``z_u`` at their largest)."""
        for lo, units in zip(self.lo, self.units, strict=True):
            got = sum(p for p, needs in units if all(need & chosen for need in needs))
            if got < lo - 1e-9:
                return False
        return True


def _units(items: list[dict[str, Any]], base: list[dict[str, Any]]) -> list[tuple[float, list[int]]]:
    """Units not met without projects: (points when met, indices of their unmet items)."""
    groups: dict[str, list[int]] = {}
    out: list[tuple[float, list[int]]] = []
    for k, it in enumerate(items):
        if it["per_step"] is not None:
            continue  # operations per revenue: no project changes them
        if it["all_of"]:
            groups.setdefault(it["all_of"], []).append(k)
        elif not base[k]["met"] and it["points"] > 0:
            out.append((float(it["points"]), [k]))
    for members in groups.values():
        unmet = [k for k in members if not base[k]["met"]]
        points = float(sum(items[k]["points"] for k in members))
        if unmet and points > 0:
            out.append((points, unmet))
    return out


def requirement_block(
    b: _Builder,
    req: Requirement,
    ds: Dataset,
    base: Network,
    options: list[Option],
    year: int,
    group: str,
    vehicles: tuple[str, ...] | None,
) -> RequirementBlock:
    """Add the requirement's columns ``z`` and rows to the MIP (see the module docstring)."""
    block = RequirementBlock(req)
    ctx0 = Context(base, req.year, group)
    finals = [int(j) for j in base.final_nodes if vehicles is None or base.parts[base.node_part[j]] in vehicles]
    Y0 = input_units(base, finals)
    alone: dict[int, tuple[Context, Network]] = {}
    for o in options:
        net = compile_with_projects(ds, [o.project], year, scale={o.project: o.level}, base=base)
        alone[o.index] = (Context(net, req.year, group), net)
    for k, j in enumerate(finals):
        rule = ctx0.rule_for(req.regime, int(base.node_part[j]))
        if rule is None:
            continue
        thresholds = ctx0.thresholds(rule["id"], req.purpose)
        if not thresholds:
            continue
        items = ctx0.items(rule["id"])
        outcomes = score_items(ctx0, j, Y0[:, k], items)
        s0 = score(outcomes)
        units = _units(items, outcomes)
        site, part = node_row(base, j)["site"], node_row(base, j)["part"]
        meets: dict[int, set[int]] = {}
        for _, members in units:
            for m in members:
                meets.setdefault(m, set())
        for oi, (ctx, net) in alone.items():
            jo = net.node(site, part)
            y = input_units(net, [jo])[:, 0]
            for m in meets:
                if item_outcome(ctx, jo, y, items[m])["met"]:
                    meets[m].add(oi)
        for purpose, minimum in thresholds:
            block.targets.append(Target(site, part, purpose, float(minimum), s0))
            need = float(minimum) - s0
            unit_sets = [(p, [meets[m] for m in members]) for p, members in units]
            block.units.append(unit_sets)
            if not unit_sets:
                z0 = b.ncol
            else:
                z0 = b.cols(len(unit_sets), 0.0, [1.0 if all(s for s in sets) else 0.0 for _, sets in unit_sets])
            row = b.rows(1, -np.inf, np.inf)
            b.coeffs(np.full(len(unit_sets), row), np.arange(z0, z0 + len(unit_sets)), [p for p, _ in unit_sets])
            block.rows.append(row)
            block.lo.append(need)
            for u, (_, sets) in enumerate(unit_sets):
                for opts in sets:
                    if not opts:
                        continue
                    r = b.rows(1, -np.inf, 0.0)
                    b.coeffs([r], [z0 + u], [1.0])
                    b.coeffs(np.full(len(opts), r), sorted(opts), -1.0)
    return block


def exact_scores(
    block: RequirementBlock,
    ds: Dataset,
    base: Network,
    options: list[Option],
    chosen: tuple[int, ...],
    year: int,
    group: str,
) -> pl.DataFrame:
    """The ``requirement`` table: every target's score without projects and, exactly, with the chosen set."""
    opts = [options[i] for i in chosen]
    net = (
        compile_with_projects(ds, [o.project for o in opts], year, scale={o.project: o.level for o in opts}, base=base)
        if opts
        else base
    )
    ctx = Context(net, block.requirement.year, group)
    rows = []
    for t in block.targets:
        j = net.node(t.site, t.part)
        rule = ctx.rule_for(block.requirement.regime, int(net.node_part[j]))
        items = ctx.items(rule["id"]) if rule else []
        s = score(score_items(ctx, j, input_units(net, [j])[:, 0], items))
        rows.append(
            {
                **node_row(net, j),
                "regime": block.requirement.regime,
                "year": block.requirement.year,
                "purpose": t.purpose,
                "threshold [points]": t.threshold,
                "score without projects [points]": t.base,
                "score [points]": s,
                "pass": s >= t.threshold - 1e-9,
            }
        )
    return pl.DataFrame(rows, schema=SCHEMA, orient="row")


def empty_requirement() -> pl.DataFrame:
    """The ``requirement`` table of a portfolio without one."""
    return pl.DataFrame(schema=SCHEMA)
