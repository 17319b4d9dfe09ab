"""CIS 2009 rules of origin (Belarus ST-1): a yes/no roll-up through the tiers.

Node ``j`` originates when it is made in the group and either its non-originating materials are at most
``max_foreign_share`` of its ex-works price, or (``heading_digits`` > 0) its tariff heading differs from the
heading of every non-originating input:

``f_j = Σ_i B[i, j] · [i does not originate] + u_j``   [fraction of ``v_j``]

with ``u_j`` the value of BOM inputs with no supply link (unknown origin counts as foreign, as the rules
take it at purchase price).  An input counts as originating only if it passed the test itself: unlike
value added, a 49 % input counts whole and a 51 % input counts as wholly foreign at its buyer.  Nodes are
judged suppliers first (levels of the network).  Each node is judged by the cis2009 rule for its own
product code, else the schema's defaults (50 %, 4 digits).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from importsub.analysis.compliance.common import TOLERANCE, Context
from importsub.compile.network import BoolArray, FloatArray, IntArray
from importsub.model.messages import why
from importsub.model.schema import table

_RULES = table("rules")
DEFAULT_LIMIT = float(_RULES.field("max_foreign_share").default)
DEFAULT_DIGITS = int(_RULES.field("heading_digits").default)


@dataclass(frozen=True)
class Origin:
    """Per node: originates, foreign share ``f`` [fraction], limit [fraction], heading change, rule id."""

    originates: BoolArray
    foreign: FloatArray
    limit: FloatArray
    heading_change: BoolArray
    rule: tuple[str | None, ...]


def _heading(code: str | None, n: int) -> str | None:
    return code[:n] if code and n > 0 and len(code) >= n else None


def _differs(heading: str | None, own: str) -> bool:
    return heading is not None and heading[: len(own)] != own


def origin(ctx: Context) -> Origin:
    """The roll-up of every node (see the module docstring)."""
    net = ctx.net
    n = net.n_nodes
    limit = np.full(n, DEFAULT_LIMIT)
    ndig = np.full(n, DEFAULT_DIGITS, dtype=np.int64)
    rule: list[str | None] = [None] * n
    by_part: dict[int, tuple[float, int, str | None]] = {}
    for j in range(n):
        p = int(net.node_part[j])
        if p not in by_part:
            r = ctx.rule_for("cis2009", p)
            by_part[p] = (
                (float(r["max_foreign_share"]), int(r["heading_digits"]), r["id"])
                if r
                else (DEFAULT_LIMIT, DEFAULT_DIGITS, None)
            )
        limit[j], ndig[j], rule[j] = by_part[p]
    heading = [
        _heading(net.part_tnved[int(net.node_part[j])] if net.part_tnved else None, int(ndig[j])) for j in range(n)
    ]
    B = net.B.tocsc()
    orig = np.zeros(n, dtype=np.bool_)
    foreign = np.zeros(n)
    change = np.zeros(n, dtype=np.bool_)
    inside = ctx.inside
    for level in net.levels:
        for j in level:
            j = int(j)
            lo, hi = B.indptr[j], B.indptr[j + 1]
            rows: IntArray = B.indices[lo:hi]
            vals = B.data[lo:hi]
            bad = ~orig[rows]
            foreign[j] = float(vals[bad].sum()) + float(net.unmapped_inputs[j])
            own = heading[j]
            change[j] = (
                own is not None
                and net.unmapped_inputs[j] <= TOLERANCE
                and all(_differs(heading[int(i)], own) for i in rows[bad])
            )
            orig[j] = bool(inside[j]) and (foreign[j] <= limit[j] + TOLERANCE or bool(change[j]))
    return Origin(orig, foreign, limit, change, tuple(rule))


def reason(ctx: Context, o: Origin, i: int) -> dict[str, Any]:
    """Why node ``i`` does not originate, as a message (:func:`~importsub.model.messages.why`)."""
    net = ctx.net
    if not ctx.inside[i]:
        return why("made outside group", country=net.countries[net.node_country[i]])
    kind = "foreign over limit" if o.heading_change[i] else "foreign over limit, no heading change"
    return why(kind, foreign=float(o.foreign[i]), limit=float(o.limit[i]))
