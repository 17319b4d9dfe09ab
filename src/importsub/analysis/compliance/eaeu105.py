"""EAEU Council Decision 105: origin by required operations, with points where the item list gives them.

A product originates when every item of its rule marked ``required`` is met (the same item test as
:mod:`importsub.analysis.compliance.pp719`); its score is the sum of points earned, compared with a threshold
when the rule has one.  Pass: originates and (no threshold, or score ≥ threshold).
"""

from __future__ import annotations

from typing import Any


def originates(items: list[dict[str, Any]], outcomes: list[dict[str, Any]]) -> tuple[bool, list[str]]:
    """Whether every required item is met, and the required items that are not."""
    missing = [it["item"] for it, o in zip(items, outcomes, strict=True) if it["required"] and not o["met"]]
    return (not missing), missing
