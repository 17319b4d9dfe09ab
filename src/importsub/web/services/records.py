"""Records as the pages and the API list them: search, exact filters and sort on a table already masked for the viewer."""

from __future__ import annotations

import polars as pl
from fastapi import HTTPException, status

from importsub.model.schema import RecordType
from importsub.web.i18n import gettext as _


def select_rows(df: pl.DataFrame, *, q: str | None, where: list[str], sort: str | None, rt: RecordType) -> pl.DataFrame:
    """Search, filter and sort a (masked) table of records.

    ``q``: case-insensitive text in any text field; ``where``: ``field=value``
    exact matches (text comparison); ``sort``: a field, ``-field`` descending.
    """
    for cond in where:
        field_name, sep, value = cond.partition("=")
        if not sep or field_name not in df.columns:
            raise HTTPException(
                status.HTTP_400_BAD_REQUEST,
                detail=_("Filter %(cond)s: use field=value with a field of %(table)s.", cond=cond, table=rt.name),
            )
        df = df.filter(pl.col(field_name).cast(pl.String) == value)
    if q:
        text_cols = [c for c, t in df.schema.items() if t == pl.String()]
        if text_cols:
            needle = q.lower()
            df = df.filter(
                pl.any_horizontal(
                    [pl.col(c).str.to_lowercase().str.contains(needle, literal=True) for c in text_cols]
                ).fill_null(False)
            )
    if sort:
        desc = sort.startswith("-")
        col = sort.lstrip("-")
        if col not in df.columns:
            raise HTTPException(
                status.HTTP_400_BAD_REQUEST, detail=_("Cannot sort by %(col)s: no such field.", col=col)
            )
        df = df.sort(col, descending=desc, nulls_last=True, maintain_order=True)
    return df
