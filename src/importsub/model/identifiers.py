"""Check digits of Russian company identifiers: INN (taxpayer number) and OGRN (state registration number).

* INN of 10 digits (a company): ``c10 = (Σ_{k=1..9} w_k c_k mod 11) mod 10`` with
  ``w = 2, 4, 10, 3, 5, 9, 4, 6, 8``;
* INN of 12 digits (a sole trader): ``c11`` with ``w = 7, 2, 4, 10, 3, 5, 9, 4, 6, 8`` over the first ten digits,
  ``c12`` with ``w = 3, 7, 2, 4, 10, 3, 5, 9, 4, 6, 8`` over the first eleven;
* OGRN of 13 digits: ``c13 = (first 12 digits as a number mod 11) mod 10``; OGRNIP of 15 digits:
  ``c15 = (first 14 digits mod 13) mod 10``.

The same rules come as plain functions (single values, pydantic) and as polars expressions (columnar
validation); a property test checks they agree.

>>> inn_ok("7707083893"), inn_ok("7707083894"), ogrn_ok("1027700132195"), ogrn_ok("1027700132194")
(True, False, True, False)
>>> inn_ok("500100732259"), ogrn_ok("304500116000157")
(True, True)
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Final

import polars as pl

from importsub.model.words import N_

W10: Final = (2, 4, 10, 3, 5, 9, 4, 6, 8)
W11: Final = (7, 2, 4, 10, 3, 5, 9, 4, 6, 8)
W12: Final = (3, 7, 2, 4, 10, 3, 5, 9, 4, 6, 8)


def _digit(digits: str, weights: Sequence[int]) -> int:
    return sum(int(c) * w for c, w in zip(digits, weights, strict=False)) % 11 % 10


def inn_ok(value: str) -> bool:
    """Whether ``value`` is an INN of 10 or 12 digits whose check digits are right."""
    if not value.isascii() or not value.isdigit():
        return False
    if len(value) == 10:
        return _digit(value, W10) == int(value[9])
    if len(value) == 12:
        return _digit(value, W11) == int(value[10]) and _digit(value, W12) == int(value[11])
    return False


def ogrn_ok(value: str) -> bool:
    """Whether ``value`` is an OGRN (13 digits) or OGRNIP (15 digits) whose check digit is right."""
    if not value.isascii() or not value.isdigit():
        return False
    if len(value) == 13:
        return int(value[:12]) % 11 % 10 == int(value[12])
    if len(value) == 15:
        return int(value[:14]) % 13 % 10 == int(value[14])
    return False


CHECKS: Final[dict[str, Callable[[str], bool]]] = {"inn": inn_ok, "ogrn": ogrn_ok}
HINTS: Final = {"inn": N_("INN"), "ogrn": N_("OGRN")}  # words of the catalogue


def _weighted(col: pl.Expr, weights: Sequence[int]) -> pl.Expr:
    terms = [col.str.slice(k, 1).cast(pl.Int64, strict=False) * w for k, w in enumerate(weights)]
    return pl.sum_horizontal(terms) % 11 % 10


def _at(col: pl.Expr, k: int) -> pl.Expr:
    return col.str.slice(k, 1).cast(pl.Int64, strict=False)


def check_expr(kind: str, col: pl.Expr) -> pl.Expr:
    """Per row: True when a digits-only value of the right length has a wrong check digit (null stays null).

    Values of another form are left to the field's pattern (they are not reported twice).
    """
    digits = col.str.contains(r"^[0-9]+$")
    n = col.str.len_chars()
    if kind == "inn":
        bad10 = (n == 10) & (_weighted(col, W10) != _at(col, 9))
        bad12 = (n == 12) & ((_weighted(col, W11) != _at(col, 10)) | (_weighted(col, W12) != _at(col, 11)))
        return digits & (bad10 | bad12)
    if kind == "ogrn":
        head12 = col.str.slice(0, 12).cast(pl.Int64, strict=False) % 11 % 10
        head14 = col.str.slice(0, 14).cast(pl.Int64, strict=False) % 13 % 10
        bad13 = (n == 13) & (head12 != _at(col, 12))
        bad15 = (n == 15) & (head14 != _at(col, 14))
        return digits & (bad13 | bad15)
    raise KeyError(f"unknown check {kind!r}; known: {', '.join(CHECKS)}")
