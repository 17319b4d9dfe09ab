"""Columnar validation of datasets, driven by the schema.

Two entry points:

* :func:`parse` turns raw text tables (as read from xlsx, CSV or JSON; every
  cell a string or null) into a typed :class:`Dataset`, then runs
  :func:`check`.  Every problem names file, sheet, row and column.
* :func:`check` validates a typed dataset: required values, bounds, choices,
  duplicate keys, references, shares summing to 1, BOM cycles and negative
  value added.

All problems are collected (up to ``max_problems``) and raised together as a
:class:`ValidationError`; nothing is returned half-valid.
"""

from __future__ import annotations

import dataclasses
import functools
import itertools
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
import polars as pl

from importsub.model.casting import TYPE_WORDS, cast_text, cleaned
from importsub.model.casting import cell_text as cell_text  # readers and the web import it from here
from importsub.model.dataset import POLARS_TYPES, Dataset, polars_schema
from importsub.model.errors import MAX_PROBLEMS, Problem, ValidationError
from importsub.model.identifiers import HINTS, check_expr
from importsub.model.messages import MESSAGES, problem
from importsub.model.schema import LARGEST, TABLE_NAMES, TABLES, TABLES_BY_NAME, RecordType, all_refs
from importsub.model.words import N_

ROW = "__row__"
SHARE_TOLERANCE = 1e-6
VALUE_ADDED_TOLERANCE = 1e-9
MAX_TEXT = 10_000  # characters in one text cell
MAX_INT = 2**62  # whole numbers must fit a database BIGINT with room to spare


@dataclass(frozen=True)
class RawTable:
    """A table as read from a file: string cells, plus where each row came from.

    ``frame`` has one String column per header cell and a ``__row__`` Int64
    column with the row number the user sees.  ``decimal_comma`` tables have
    numbers like ``1 234,5`` (spaces group digits; the comma is the decimal sign).
    """

    name: str
    frame: pl.DataFrame
    file: str | None = None
    sheet: str | None = None
    decimal_comma: bool = False
    """Numbers are written with a decimal comma (``0,5``), as a Russian-locale CSV has them."""


class _Collector:
    def __init__(self, cap: int) -> None:
        self.cap = cap
        self.problems: list[Problem] = []
        self.total = 0
        self._cells: set[tuple[str | None, str | None, int | None, str | None]] = set()

    def add(self, problem: Problem) -> None:
        # one problem per cell: a value that is not a number is not also "missing"
        cell = (problem.file, problem.sheet, problem.row, problem.column)
        if problem.row is not None and problem.column is not None:
            if cell in self._cells:
                return
            self._cells.add(cell)
        self.total += 1
        if len(self.problems) < self.cap:
            self.problems.append(problem)

    @property
    def full(self) -> bool:
        return len(self.problems) >= self.cap

    def raise_if_any(self) -> None:
        if self.total:
            raise ValidationError(sorted(self.problems, key=_sort_key), self.total)


def _sort_key(p: Problem) -> tuple[str, int, int, str]:
    order = TABLE_NAMES.index(p.sheet) if p.sheet in TABLE_NAMES else len(TABLE_NAMES)
    return (p.file or "", order, p.row if p.row is not None else -1, p.column or "")


@dataclass(frozen=True)
class _Origin:
    file: str | None
    sheet: str | None


def _fmt(value: object) -> str:
    text = repr(value) if isinstance(value, str) else str(value)
    return text if len(text) <= 40 else text[:37] + "..."


# ---------------------------------------------------------------- parsing


def _parse_table(raw: RawTable, out: _Collector) -> pl.DataFrame | None:
    rt = TABLES_BY_NAME[raw.name]
    df = raw.frame
    origin = _Origin(raw.file, raw.sheet or raw.name)
    header_row = None if raw.file is None else 1
    present = [c for c in df.columns if c != ROW]
    known = set(rt.field_names)
    bad = False
    for col in present:
        if col not in known:
            expected = ", ".join(rt.field_names)
            out.add(
                problem(
                    origin.file, origin.sheet, header_row, col, "unknown_column", column=repr(col), expected=expected
                )
            )
            bad = True
    for f in rt.fields:
        if f.required and f.name not in present:
            out.add(problem(origin.file, origin.sheet, header_row, f.name, "missing_column", column=repr(f.name)))
            bad = True
    if bad:
        return None
    if ROW not in df.columns:
        df = df.with_row_index(ROW, offset=1).with_columns(pl.col(ROW).cast(pl.Int64))
    schema = polars_schema(rt)
    # three steps, each cell cleaned and cast once: the cleaned text of every column present, the typed
    # values from it, then the type errors (a cell with text whose cast gave null)
    checked = [f for f in rt.fields if f.type != "str" and f.name in present]
    texts = [cleaned(pl.col(f.name)).alias(f"__text__{f.name}") for f in rt.fields if f.name in present]
    exprs: list[pl.Expr] = [pl.col(ROW)]
    for f in rt.fields:
        if f.name in present:
            text = pl.col(f"__text__{f.name}")
            exprs.append(cast_text(text, f, decimal_comma=raw.decimal_comma).alias(f.name))
        else:
            exprs.append(pl.lit(None if f.required else f.default, dtype=schema[f.name]).alias(f.name))
    exprs += [pl.col(f"__text__{f.name}") for f in checked]
    type_errors = [
        (pl.col(f"__text__{f.name}").is_not_null() & pl.col(f.name).is_null()).alias(f"__bad__{f.name}")
        for f in checked
    ]
    typed = (
        df.lazy()
        .select(pl.col(ROW), *texts)
        .select(exprs)
        .with_columns(type_errors)
        .drop([f"__text__{f.name}" for f in checked])
        .collect()
    )
    flags = [f"__bad__{f.name}" for f in checked]
    broken = typed.select(pl.col(flags).any()).row(0) if flags else ()
    for f, any_bad in zip(checked, broken, strict=True):
        if not any_bad:
            continue
        failed = typed.get_column(f"__bad__{f.name}")
        src = df.get_column(f.name).cast(pl.String).str.strip_chars()
        rows = df.get_column(ROW).filter(failed)
        vals = src.filter(failed)
        for r, v in zip(rows.head(out.cap).to_list(), vals.head(out.cap).to_list(), strict=True):
            out.add(problem(origin.file, origin.sheet, r, f.name, "not_type", value=_fmt(v), type=TYPE_WORDS[f.type]))
        out.total += max(0, int(failed.sum()) - out.cap)
    typed = typed.drop(flags)
    # fill defaults of optional fields left empty
    fills = [
        pl.col(f.name).fill_null(pl.lit(f.default, dtype=schema[f.name]))
        for f in rt.fields
        if not f.required and f.default is not None
    ]
    if fills:
        typed = typed.with_columns(fills)
    return typed


def parse(
    raw_tables: list[RawTable], *, name: str = "dataset", max_problems: int = MAX_PROBLEMS, validate: bool = True
) -> Dataset:
    """Typed, checked dataset from raw text tables; raises :class:`ValidationError`.

    Several raw tables may have the same record type (e.g. two files); their
    rows are concatenated.  With ``validate=False`` only columns and cell types
    are checked (no required values, bounds, keys or references).
    """
    out = _Collector(max_problems)
    typed: dict[str, list[pl.DataFrame]] = {}
    origins: dict[str, list[_Origin]] = {}
    header_problems = False
    for raw in map(_known_name, raw_tables):
        if raw.name not in TABLES_BY_NAME:
            expected = ", ".join(TABLE_NAMES)
            out.add(problem(raw.file, raw.sheet, None, None, "unknown_table", table=repr(raw.name), expected=expected))
            header_problems = True
            continue
        frame = _parse_table(raw, out)
        if frame is None:
            header_problems = True
        else:
            typed.setdefault(raw.name, []).append(frame)
            origins.setdefault(raw.name, []).append(_Origin(raw.file, raw.sheet or raw.name))
    if header_problems:
        # with a table unreadable, its references would all look unknown: stop here
        out.raise_if_any()
    frames: dict[str, pl.DataFrame] = {}
    locs: dict[str, _Locator] = {}
    for table_name, parts in typed.items():
        with_src = [p.with_columns(pl.lit(i, dtype=pl.Int32).alias("__src__")) for i, p in enumerate(parts)]
        frames[table_name] = pl.concat(with_src, how="vertical")
        locs[table_name] = _Locator(origins[table_name])
    ds_frames = {n: f.drop(ROW, "__src__") for n, f in frames.items()}
    ds = Dataset.from_frames(name, ds_frames)
    if validate:
        _check(ds, frames, locs, out)
    out.raise_if_any()
    return ds


def _known_name(raw: RawTable) -> RawTable:
    """A sheet or file named ``Countries`` or ``COUNTRIES`` is the ``countries`` table."""
    if raw.name in TABLES_BY_NAME or raw.name.lower() not in TABLES_BY_NAME:
        return raw
    return dataclasses.replace(raw, name=raw.name.lower())


# ---------------------------------------------------------------- checking


class _Locator:
    """Maps a row of a (possibly concatenated) table back to file and row."""

    def __init__(self, origins: list[_Origin]) -> None:
        self.origins = origins

    def problem(self, src: int | None, row: int | None, column: str | None, message_id: str, /, **args: Any) -> Problem:
        o = self.origins[src or 0] if self.origins else _Origin(None, None)
        return problem(o.file, o.sheet, row, column, message_id, **args)


def check(ds: Dataset, *, max_problems: int = MAX_PROBLEMS) -> Dataset:
    """Validate a typed dataset in memory; returns it unchanged or raises.

    Rows are named by their 1-based position in each table.
    """
    out = _Collector(max_problems)
    frames = {
        n: ds.tables[n]
        .with_row_index(ROW, offset=1)
        .with_columns(pl.col(ROW).cast(pl.Int64), pl.lit(0, dtype=pl.Int32).alias("__src__"))
        for n in TABLE_NAMES
    }
    locs = {n: _Locator([_Origin(None, n)]) for n in TABLE_NAMES}
    for rt in TABLES:
        df = ds.tables[rt.name]
        expected = polars_schema(rt)
        if dict(df.schema) != expected:
            found = str(dict(df.schema))
            out.add(problem(None, rt.name, None, None, "schema_mismatch", found=found, expected=str(expected)))
    out.raise_if_any()
    _check(ds, frames, locs, out)
    out.raise_if_any()
    return ds


def value_problems(name: str, df: pl.DataFrame, *, max_problems: int = MAX_PROBLEMS) -> list[Problem]:
    """Problems of single values in a typed table (required, bounds, choices), no cross-record checks."""
    rt = TABLES_BY_NAME[name]
    out = _Collector(max_problems)
    frame = df.with_row_index(ROW, offset=1).with_columns(
        pl.col(ROW).cast(pl.Int64), pl.lit(0, dtype=pl.Int32).alias("__src__")
    )
    _check_values(rt, frame, _Locator([_Origin(None, name)]), out)
    return out.problems


def _empty_frame_with_row(rt: RecordType) -> pl.DataFrame:
    return pl.DataFrame(schema={ROW: pl.Int64(), **polars_schema(rt), "__src__": pl.Int32()})


def _check(
    ds: Dataset,
    frames: Mapping[str, pl.DataFrame],
    locs: Mapping[str, _Locator],
    out: _Collector,
) -> None:
    full = {rt.name: frames.get(rt.name, _empty_frame_with_row(rt)) for rt in TABLES}
    loc = {rt.name: locs.get(rt.name, _Locator([_Origin(None, rt.name)])) for rt in TABLES}
    for rt in TABLES:
        _check_values(rt, full[rt.name], loc[rt.name], out)
    for rt in TABLES:
        _check_keys(rt, full[rt.name], loc[rt.name], out)
    for rt in TABLES:
        _check_refs(rt, full, loc[rt.name], out)
    pairs = _link_pairs(full["supply_links"])  # grouped once for the share and the stock and link checks
    _check_shares(pairs, loc["supply_links"], out)
    _check_bom_cycles(full["bom"], loc["bom"], out)
    _check_nothing_ignored(full, loc, out, pairs)
    if not out.total:
        costs = _input_costs(ds, full["production"])
        if costs is not None:
            _check_value_added(costs[1], loc["production"], out)
            if not out.total:
                _check_unmapped_inputs_value(*costs, loc["production"], out)


_Args = Mapping[str, Any]
"""A message's parameters: a column expression (one value per row) or the same text for every row."""


def _report(df: pl.DataFrame, loc: _Locator, column: str | None, message_id: str, args: _Args, out: _Collector) -> None:
    n = df.height
    if not n:
        return
    kinds = MESSAGES[message_id].args
    exprs = {k: v for k, v in args.items() if isinstance(v, pl.Expr)}
    fixed = {k: v for k, v in args.items() if not isinstance(v, pl.Expr)}
    # text parameters as polars writes them (what the English said when it was formatted in polars)
    cols = [(v.cast(pl.String) if kinds[k] == "text" else v).alias(f"__arg__{k}") for k, v in exprs.items()]
    # one chunk per column: polars 2.1 panics formatting a column whose chunks differ from the others'
    # (a CSV read in parallel, offending rows in two chunks: "assertion failed: i < self.len()")
    head = df.head(max(0, out.cap - len(out.problems)) or 1).rechunk().select(pl.col(ROW), pl.col("__src__"), *cols)
    for row, src, *values in head.iter_rows():
        # a key left empty (reported on its own as a missing value) is named as polars shows it
        named = {k: "null" if v is None else v for k, v in zip(exprs, values, strict=True)}
        out.add(loc.problem(src, row, column, message_id, **fixed, **named))
    out.total += n - head.height


_Rule = tuple[str, pl.Expr, str, _Args]
"""(column, rows that break the rule, message id and parameters of such a row)."""


def _value_rules(rt: RecordType) -> list[_Rule]:
    """Every single-value rule of a record type: required, bounds, choices, text and formats."""
    rules: list[_Rule] = []
    for f in rt.fields:
        col = pl.col(f.name)
        if f.required:
            rules.append((f.name, col.is_null(), "missing_value", {"field": f"{rt.name}.{f.name}"}))
        unit = f.unit
        if f.type == "int":
            rules.append((f.name, col.abs() > MAX_INT, "int_range", {}))
        if f.type in ("int", "float"):
            if f.type == "float":
                rules.append((f.name, col.is_nan() | col.is_infinite(), "not_finite", {}))
            if f.positive:
                rules.append((f.name, col <= 0, "positive", {"value": col, "unit": unit}))
            if f.minimum is not None:
                bound = {"bound": f"{f.minimum:g}", "unit": unit, "value": col}
                rules.append((f.name, col < f.minimum, "minimum", bound))
            if f.maximum is not None:
                bound = {"bound": f"{f.maximum:g}", "unit": unit, "value": col}
                rules.append((f.name, col > f.maximum, "maximum", bound))
        if f.choices:
            choices = {"value": col, "choices": ", ".join(f.choices)}
            rules.append((f.name, col.is_not_null() & ~col.is_in(list(f.choices)), "not_choice", choices))
        if f.type == "str":
            rules.append((f.name, col.is_not_null() & (col.str.strip_chars() == ""), "blank", {}))
            rules.append((f.name, col.str.len_chars() > MAX_TEXT, "too_long", {"limit": MAX_TEXT}))
    return rules + _format_rules(rt)


def _check_values(rt: RecordType, df: pl.DataFrame, loc: _Locator, out: _Collector) -> None:
    """Single-value rules, all tested in one pass over the table; only rules some row breaks are reported."""
    if df.height == 0:
        return
    rules = _rules_of(rt.name)
    fired = df.select([mask.any().alias(str(i)) for i, (_, mask, _, _) in enumerate(rules)]).row(0)
    for (column, mask, message_id, args), hit in zip(rules, fired, strict=True):
        if hit:
            _report(df.filter(mask), loc, column, message_id, args, out)


# C0 controls and DEL; tab and line breaks only in multi-line text
_CONTROL = r"[\x00-\x1F\x7F]"
_CONTROL_MULTILINE = r"[\x00-\x08\x0B\x0C\x0E-\x1F\x7F]"


def _format_rules(rt: RecordType) -> list[_Rule]:
    """Documented formats (ISO2 codes, HS codes), no control characters in text, numbers of a sane size."""
    rules: list[_Rule] = []
    for f in rt.fields:
        col = pl.col(f.name)
        if f.type == "str":
            bad = _CONTROL_MULTILINE if f.multiline else _CONTROL
            char = pl.concat_str(pl.lit("U+00"), col.str.extract(f"({bad})").str.encode("hex").str.to_uppercase())
            control = "control" if f.multiline else "control_single_line"
            rules.append((f.name, col.str.contains(bad), control, {"char": char}))
            if f.pattern is not None:
                form: tuple[str, _Args] = (
                    ("pattern", {"value": col, "hint": f.pattern_hint})
                    if f.pattern_hint
                    else ("pattern_form", {"value": col, "pattern": f.pattern})
                )
                rules.append((f.name, col.is_not_null() & ~col.str.contains(f"^(?:{f.pattern})$"), *form))
            if f.check is not None:
                digit = {"value": col, "what": HINTS[f.check]}
                rules.append((f.name, col.is_not_null() & check_expr(f.check, col), "check_digit", digit))
        elif f.type in ("int", "float") and f.maximum is None:
            too_big = col.is_finite() & (col.abs() > LARGEST) if f.type == "float" else col.abs() > LARGEST
            rules.append((f.name, too_big, "too_large", {"value": col, "limit": f"{LARGEST:.0e}"}))
    return rules


@functools.cache
def _rules_of(name: str) -> list[_Rule]:
    """The value rules of a record type, built once on first use (not at import: a command that
    validates nothing, such as ``importsub datasets``, does not pay for every table's expressions)."""
    return _value_rules(TABLES_BY_NAME[name])


def _check_keys(rt: RecordType, df: pl.DataFrame, loc: _Locator, out: _Collector) -> None:
    key = list(rt.key)
    if df.height == 0 or df.select(key).unique().height == df.height:
        return  # the common case, checked with one hash pass
    dup = df.filter(pl.struct(key).is_duplicated())
    if dup.height == 0:
        return
    first = dup.group_by(key, maintain_order=True).agg(pl.col(ROW).first().alias("__first__"))
    later = dup.join(first, on=key, how="left", nulls_equal=True).filter(pl.col(ROW) != pl.col("__first__"))
    key_text = pl.concat_str([pl.col(k).cast(pl.String).fill_null("") for k in key], separator=" | ")
    args = {"key": ", ".join(key), "value": key_text, "row": pl.col("__first__")}
    _report(later, loc, ",".join(key), "duplicate_key", args, out)


def _check_refs(rt: RecordType, full: Mapping[str, pl.DataFrame], loc: _Locator, out: _Collector) -> None:
    df = full[rt.name]
    if df.height == 0:
        return
    for ref in all_refs(rt):
        target = (
            full[ref.table]
            .select([pl.col(t).alias(s) for s, t in zip(ref.fields, ref.target_fields, strict=True)])
            .unique()
        )
        # only the referencing columns (and where each row came from): the others are not copied
        rows = df.select(*ref.fields, ROW, "__src__").drop_nulls(list(ref.fields))
        missing = rows.join(target, on=list(ref.fields), how="anti")
        if missing.height == 0:
            continue
        args: dict[str, Any]
        if len(ref.fields) == 1:
            record = TABLES_BY_NAME[ref.table].record
            message_id, args = "unknown_ref", {"record": record, "value": pl.col(ref.fields[0]), "table": ref.table}
        else:
            vals = pl.concat_str([pl.col(c) for c in ref.fields], separator=" | ")
            args = {"table": ref.table, "fields": ", ".join(ref.target_fields), "value": vals}
            message_id = "no_record_plain"
            if ref.why:
                message_id, args["why"] = "no_record", ref.why
        _report(missing, loc, ",".join(ref.fields) if len(ref.fields) > 1 else ref.fields[0], message_id, args, out)


def _link_pairs(links: pl.DataFrame) -> pl.DataFrame:
    """One row per (buyer, part) of the supply links: ``__sum__`` of their shares, and the first link's
    row and source (where a problem of the pair is reported)."""
    return (
        links.select("buyer", "part", "share", ROW, "__src__")
        .group_by("buyer", "part")  # rows keep their order within a group: first() is the first link
        .agg(pl.col("share").sum().alias("__sum__"), pl.col(ROW).first(), pl.col("__src__").first())
    )


def _check_shares(pairs: pl.DataFrame, loc: _Locator, out: _Collector) -> None:
    """The shares of one buyer and part sum to 1 (``pairs``: :func:`_link_pairs`)."""
    sums = pairs.filter((pl.col("__sum__") - 1.0).abs() > SHARE_TOLERANCE).sort(
        "__src__", ROW
    )  # the order the pairs are met in (rows rise within each source)
    args = {"buyer": pl.col("buyer"), "part": pl.col("part"), "sum": pl.col("__sum__").round(6)}
    _report(sums, loc, "share", "shares", args, out)


def _check_bom_cycles(df: pl.DataFrame, loc: _Locator, out: _Collector) -> None:
    """One problem per cycle of the BOM (strongly connected components, self-loops too), at the row of
    the line that closes it, naming every part and the rows of every line on it."""
    from importsub.model.graph import cycles

    edges = df.select("parent", "child", ROW, "__src__").drop_nulls(["parent", "child"])
    if edges.height == 0:
        return
    names = pl.concat([edges.get_column("parent"), edges.get_column("child")]).unique(maintain_order=True)
    codes = pl.Series(np.arange(names.len(), dtype=np.int64))
    src = edges.get_column("parent").replace_strict(names, codes, return_dtype=pl.Int64).to_numpy()
    dst = edges.get_column("child").replace_strict(names, codes, return_dtype=pl.Int64).to_numpy()
    found = cycles(names.len(), src, dst, limit=out.cap)
    if not found:
        return
    # the first line of each edge on a found cycle, looked up column-wise (edge key a·n + b)
    n = names.len()
    keys = src * n + dst
    wanted = np.unique(np.array([a * n + b for cyc in found for a, b in itertools.pairwise(cyc)], dtype=np.int64))
    hit = np.flatnonzero(np.isin(keys, wanted))
    first_keys, first_at = np.unique(keys[hit], return_index=True)
    firsts = edges.select(ROW, "__src__")[hit[first_at]]
    line = dict(zip(first_keys.tolist(), firsts.iter_rows(), strict=True))
    labels = names.to_list()
    for cyc in found:
        at = [line[a * n + b] for a, b in itertools.pairwise(cyc)]
        row, s = at[-1]
        where = ", ".join(str(r) for r, _ in at)
        out.add(loc.problem(s, row, "child", "bom_cycle", cycle=" → ".join(labels[i] for i in cyc), rows=where))


def _input_costs(ds: Dataset, production: pl.DataFrame) -> tuple[pl.DataFrame, pl.DataFrame] | None:
    """Each production row's BOM lines (``lines``: the line's child, q, and ``__unit_cost__`` = Σ share ·
    v_supplier of the site's links for it, null where none) and their sums per row (``costs``: ``__mapped__``
    = Σ q · unit cost over mapped lines, ``__unmapped__`` = Σ q · the child part's unit value over the others),
    built once for both value-added checks."""
    if production.height == 0 or ds.bom.height == 0:
        return None
    parts = ds.parts.select(pl.col("id").alias("part"), pl.col("unit_value").alias("__pv__"))
    value = production.join(parts, on="part", how="left").with_columns(
        pl.coalesce("unit_value", "__pv__").alias("__v__")
    )
    supplier_value = value.select(pl.col("site").alias("supplier"), "part", pl.col("__v__").alias("__vs__"))
    link_value = (
        ds.supply_links.select("buyer", "part", "supplier", "share")
        .join(supplier_value, on=["supplier", "part"], how="left")
        .group_by("buyer", "part")
        .agg((pl.col("share") * pl.col("__vs__")).sum().alias("__unit_cost__"))
        .rename({"buyer": "site", "part": "child"})
    )
    child_value = ds.parts.select(pl.col("id").alias("child"), pl.col("unit_value").alias("__cv__"))
    lines = (
        value.select("site", pl.col("part").alias("parent"), ROW, "__src__", "__v__")
        .join(ds.bom.select("parent", "child", "quantity"), on="parent", how="inner")
        .join(link_value, on=["site", "child"], how="left")
        .join(child_value, on="child", how="left")
    )
    mapped = pl.col("__unit_cost__").is_not_null()
    costs = lines.group_by(ROW, "__src__").agg(  # one group per production row: (row, source) names it
        pl.col("site").first(),
        pl.col("parent").first(),
        pl.col("__v__").first(),
        mapped.any().alias("__any_mapped__"),
        (pl.col("quantity") * pl.col("__unit_cost__")).filter(mapped).sum().alias("__mapped__"),
        (pl.col("quantity") * pl.col("__cv__")).filter(~mapped).sum().alias("__unmapped__"),
    )
    return lines, costs


def _check_value_added(costs: pl.DataFrame, loc: _Locator, out: _Collector) -> None:
    """Σ_inputs q · share · v_supplier must not exceed the node's own value."""
    over = costs.filter(
        pl.col("__any_mapped__") & (pl.col("__mapped__") > pl.col("__v__") * (1 + VALUE_ADDED_TOLERANCE))
    ).sort(ROW)
    args = {
        "part": pl.col("parent"),
        "site": pl.col("site"),
        "cost": pl.col("__mapped__").round(2),
        "value": pl.col("__v__").round(2),
    }
    _report(over, loc, "unit_value", "value_added", args, out)


def _check_nothing_ignored(
    full: Mapping[str, pl.DataFrame], loc: Mapping[str, _Locator], out: _Collector, pairs: pl.DataFrame
) -> None:
    """Records the analyses would drop without a word (issue 9, item 7): stock nobody makes or
    buys, supply links nobody uses, disruption targets that name nothing (``pairs``: :func:`_link_pairs`)."""
    _check_stock_used(full, loc["inventory"], out, pairs)
    _check_links_used(full, loc["supply_links"], out, pairs)
    _check_disruption_targets(full, loc["disruptions"], out)


def _check_stock_used(full: Mapping[str, pl.DataFrame], loc: _Locator, out: _Collector, pairs: pl.DataFrame) -> None:
    """Stock at (site, part) counts only where the site makes the part or buys it (a supply link)."""
    inv = full["inventory"].drop_nulls(["site", "part"])
    if inv.height == 0:
        return
    made = full["production"].select("site", "part").drop_nulls().unique()
    bought = pairs.select(pl.col("buyer").alias("site"), "part").drop_nulls()  # unique already
    unused = inv.join(made, on=["site", "part"], how="anti").join(bought, on=["site", "part"], how="anti").sort(ROW)
    _report(unused, loc, "part", "stock_unused", {"part": pl.col("part"), "site": pl.col("site")}, out)


def _check_links_used(full: Mapping[str, pl.DataFrame], loc: _Locator, out: _Collector, pairs: pl.DataFrame) -> None:
    """A supply link's part must be a BOM input of something its buyer makes (a production record) or
    will make (an output of a project hosted there: inputs contracted ahead).

    Tested on the (buyer, part) pairs (``pairs``: :func:`_link_pairs`); the links of a pair that fails
    are then each reported."""
    if full["supply_links"].height == 0:
        return
    bom = full["bom"].select("parent", "child").drop_nulls()
    made = full["production"].select("site", pl.col("part").alias("parent")).drop_nulls()
    hosted = (
        full["project_outputs"]
        .select("project", pl.col("part").alias("parent"))
        .join(full["projects"].select(pl.col("id").alias("project"), pl.col("host_site").alias("site")), on="project")
        .select("site", "parent")
        .drop_nulls()
    )
    uses = (
        pl.concat([made, hosted])
        .join(bom, on="parent")
        .select(pl.col("site").alias("buyer"), pl.col("child").alias("part"))
        .unique()
    )
    unused_pairs = pairs.select("buyer", "part").drop_nulls().join(uses, on=["buyer", "part"], how="anti")
    if unused_pairs.height == 0:
        return
    links = full["supply_links"].select("buyer", "part", "supplier", ROW, "__src__")
    unused = links.join(unused_pairs, on=["buyer", "part"], how="semi").sort(ROW)
    args = {"buyer": pl.col("buyer"), "part": pl.col("part"), "supplier": pl.col("supplier")}
    _report(unused, loc, "part", "link_unused", args, out)


def _check_disruption_targets(full: Mapping[str, pl.DataFrame], loc: _Locator, out: _Collector) -> None:
    """Every disruption target names something of its kind (a link: an existing buyer|part|supplier).

    A scenario table is small: checked row by row in Python, the messages built as plain text.
    """
    dis = full["disruptions"]
    if dis.height == 0:
        return
    names = {
        "group": (N_("country group"), full["country_groups"].get_column("group")),
        "country": (N_("country"), full["countries"].get_column("iso2")),
        "organization": (N_("organization"), full["organizations"].get_column("id")),
        "site": (N_("site"), full["sites"].get_column("id")),
        "part": (N_("part"), full["parts"].get_column("id")),
    }
    known = {kind: set(col.drop_nulls().to_list()) for kind, (_, col) in names.items()}
    links = set(full["supply_links"].select("buyer", "part", "supplier").drop_nulls().iter_rows())
    for row, src, kind, target in dis.select(ROW, "__src__", "target_kind", "target").iter_rows():
        if kind is None or target is None:
            continue  # a missing value is reported by the value checks
        if kind in names:
            if target not in known[kind]:
                what = names[kind][0]
                listed = sorted(known[kind])
                shown = ", ".join(listed[:12]) + (", …" if len(listed) > 12 else "")
                unknown = {"target": target, "kind": kind, "what": what}
                if shown:
                    out.add(loc.problem(src, row, "target", "target_unknown", **unknown, known=shown))
                else:
                    out.add(loc.problem(src, row, "target", "target_unknown_none", **unknown))
        elif kind == "link":
            pieces = [p.strip() for p in target.split("|")]
            if len(pieces) != 3:
                out.add(loc.problem(src, row, "target", "link_target_form", target=repr(target)))
            elif tuple(pieces) not in links:
                buyer, part, supplier = pieces
                link = {"target": target, "buyer": buyer, "part": part, "supplier": supplier}
                out.add(loc.problem(src, row, "target", "link_target_unknown", **link))


def _check_unmapped_inputs_value(lines: pl.DataFrame, costs: pl.DataFrame, loc: _Locator, out: _Collector) -> None:
    """Mapped inputs (q · share · v_supplier) plus unmapped ones (q · the child part's unit value, a
    BOM child with no supply link at the site) must not exceed the node's own value (issue 9: such
    a node's coverage used to be clamped silently)."""
    over = costs.filter(
        (pl.col("__unmapped__") > 0)
        & (pl.col("__mapped__") + pl.col("__unmapped__") > pl.col("__v__") * (1 + VALUE_ADDED_TOLERANCE))
    )
    if over.height == 0:
        return
    children = (  # the unmapped children, listed only for the rows that break the rule
        lines.filter(pl.col("__unit_cost__").is_null())
        .join(over.select(ROW, "__src__"), on=[ROW, "__src__"], how="semi")
        .group_by(ROW, "__src__")
        .agg(pl.col("child").sort().str.join(", ").alias("__children__"))
    )
    over = over.join(children, on=[ROW, "__src__"], how="left").sort(ROW)
    args = {
        "part": pl.col("parent"),
        "site": pl.col("site"),
        "mapped": pl.col("__mapped__").round(2),
        "unmapped": pl.col("__unmapped__").round(2),
        "children": pl.col("__children__"),
        "value": pl.col("__v__").round(2),
    }
    _report(over, loc, "unit_value", "value_added_unmapped", args, out)


__all__ = ["MAX_PROBLEMS", "POLARS_TYPES", "ROW", "RawTable", "check", "parse", "value_problems"]
