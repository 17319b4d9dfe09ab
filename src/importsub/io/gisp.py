"""The open-data CSV of Russia's registry of industrial products (GISP, Decree 719) → ``registry_entries``.

Columns (in any order, any case): Nameoforg, OGRN, INN, Orgaddr, Productmanufaddress, Regnumber,
Productname, OKPD2, TNVED, Score, Percentage, Docdate, Docvalidtill.  UTF-8 (with or without a byte-order
mark) or Windows-1251; fields separated by ``;`` or ``,`` (told apart by the header line).  Numbers may use
a decimal comma; dates are DD.MM.YYYY or YYYY-MM-DD.  Every bad value is a problem naming the file, row and
column; a file with any problem gives no rows.

Linking (:func:`link`): an entry belongs to the organisation whose INN, else OGRN, it carries; its part is
the one part made at that organisation's sites whose TN VED or OKPD2 code is a prefix of the entry's (or
the entry's of the part's).  What cannot be linked is reported, never guessed: an entry with several
candidate parts keeps ``part`` empty (the analysis then matches it by code).
"""

from __future__ import annotations

import csv as pycsv
import io
import re
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any, Final

import polars as pl

from importsub.io.csv import _decode
from importsub.model.dataset import Dataset, polars_schema
from importsub.model.errors import FileFormatError, Problem, ValidationError
from importsub.model.identifiers import inn_ok, ogrn_ok
from importsub.model.schema import HS_CODE_PATTERN, OKPD2_PATTERN, table

COLUMNS: Final = (
    "Nameoforg", "OGRN", "INN", "Orgaddr", "Productmanufaddress", "Regnumber", "Productname", "OKPD2", "TNVED",
    "Score", "Percentage", "Docdate", "Docvalidtill",
)  # fmt: skip
SHEET: Final = "registry"


@dataclass(frozen=True)
class Unlinked:
    """One entry the import could not link fully: its CSV row, registry number and why."""

    row: int
    number: str
    what: str
    reason: str


def _number(text: str) -> float:
    return float(text.replace("\u00a0", "").replace(" ", "").replace(",", "."))


def _date(text: str) -> date:
    for fmt in ("%d.%m.%Y", "%Y-%m-%d", "%d.%m.%Y %H:%M:%S", "%Y-%m-%dT%H:%M:%S"):
        try:
            return datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    raise ValueError(text)


def _cell(row: dict[str, str], name: str) -> str | None:
    v = (row.get(name) or "").strip()
    return v or None


def _value(where: Problem, name: str, text: str | None, problems: list[Problem]) -> Any:
    """One parsed value of column ``name`` (None when empty), or None with a problem appended."""
    if text is None:
        return None

    def bad(message: str) -> None:
        problems.append(Problem(where.file, where.sheet, where.row, name, message))

    if name == "INN":
        if not inn_ok(text):
            bad(f"{text!r} is not a valid INN (10 or 12 digits with check digits)")
            return None
    elif name == "OGRN":
        if not ogrn_ok(text):
            bad(f"{text!r} is not a valid OGRN (13 or 15 digits with a check digit)")
            return None
    elif name in ("Score", "Percentage"):
        try:
            v = _number(text)
        except ValueError:
            bad(f"{text!r} is not a number")
            return None
        if v < 0 or (name == "Percentage" and v > 100):
            bad(f"{text!r} is out of range ({'0–100 %' if name == 'Percentage' else '>= 0 points'})")
            return None
        return v
    elif name in ("Docdate", "Docvalidtill"):
        try:
            return _date(text)
        except ValueError:
            bad(f"{text!r} is not a date (DD.MM.YYYY or YYYY-MM-DD)")
            return None
    elif name == "TNVED":
        code = re.sub(r"[\s.]", "", text)
        if not re.fullmatch(HS_CODE_PATTERN, code):
            bad(f"{text!r} is not a TN VED code (4 to 10 digits)")
            return None
        return code
    elif name == "OKPD2":
        code = text.replace(" ", "")
        if not re.fullmatch(OKPD2_PATTERN, code):
            bad(f"{text!r} is not an OKPD2 code (e.g. 29.32.30.110)")
            return None
        return code
    return text


def read_gisp(path: Path, *, source: str | None = None) -> pl.DataFrame:
    """The rows of a GISP open-data CSV as a typed ``registry_entries`` frame (not yet linked).

    Raises
    ------
    FileFormatError
        Not text, missing columns, a line with the wrong number of fields.
    ValidationError
        Bad values: every problem names the row (header = 1) and the column.
    """
    data = path.read_bytes()
    text, encoding = _decode(path, data, "auto", SHEET)
    first = text.split("\n", 1)[0]
    sep = ";" if first.count(";") > first.count(",") else ","
    reader = pycsv.DictReader(io.StringIO(text, newline=""), delimiter=sep)
    header = {(h or "").strip().lstrip("\ufeff").lower(): h for h in reader.fieldnames or []}
    missing = [c for c in COLUMNS if c.lower() not in header]
    if missing:
        raise FileFormatError(
            f"{path}: not a GISP registry file: missing column(s) {', '.join(missing)} "
            f"(read as {encoding}, fields separated by {sep!r})"
        )
    names = {c: header[c.lower()] for c in COLUMNS}
    problems: list[Problem] = []
    rows: list[dict[str, Any]] = []
    try:
        for record in reader:
            line = reader.line_num
            if None in record:
                problems.append(Problem(str(path), None, line, None, f"more fields than the header (by {sep!r})"))
                continue
            raw = {c: _cell(record, names[c]) for c in COLUMNS}
            if not any(raw.values()):
                continue
            where = Problem(str(path), None, line, None, "")
            v = {c: _value(where, c, raw[c], problems) for c in COLUMNS}
            for c in ("Regnumber", "Productname"):
                if v[c] is None:
                    problems.append(Problem(str(path), None, line, c, "missing value"))
            rows.append(
                {
                    "number": v["Regnumber"],
                    "product": v["Productname"],
                    "organization_name": v["Nameoforg"],
                    "inn": v["INN"],
                    "ogrn": v["OGRN"],
                    "okpd2": v["OKPD2"],
                    "tnved": v["TNVED"],
                    "score": v["Score"],
                    "percentage": v["Percentage"],
                    "doc_date": v["Docdate"],
                    "valid_until": v["Docvalidtill"],
                    "address": v["Productmanufaddress"] or v["Orgaddr"],
                    "source": source or f"GISP open data: {path.name}",
                    "__row__": line,
                }
            )
    except pycsv.Error as exc:
        raise FileFormatError(f"{path}, row {reader.line_num}: {exc}") from exc
    seen: dict[tuple[Any, Any], int] = {}
    for r in rows:
        key = (r["number"], r["product"])
        if key in seen and None not in key:
            problems.append(
                Problem(
                    str(path),
                    None,
                    r["__row__"],
                    "Regnumber",
                    f"duplicate entry {key[0]} | {key[1]}; first at row {seen[key]}",
                )
            )
        seen.setdefault(key, r["__row__"])
    if problems:
        raise ValidationError(sorted(problems))
    schema = {**polars_schema(table("registry_entries")), "__row__": pl.Int64()}
    return pl.DataFrame([{c: r.get(c) for c in schema} for r in rows], schema=schema, orient="row")


def _digits(code: str | None) -> str:
    return "".join(ch for ch in code or "" if ch.isdigit())


def _related(a: str, b: str) -> bool:
    return bool(a) and bool(b) and (a.startswith(b) or b.startswith(a))


def link(entries: pl.DataFrame, ds: Dataset) -> tuple[pl.DataFrame, list[Unlinked]]:
    """Fill ``organization`` (by INN, else OGRN) and ``part`` (by TN VED / OKPD2 prefix among the parts the
    organisation makes) of read entries; returns the linked frame and what could not be linked."""
    by_inn = {i: o for o, i in ds.organizations.select("id", "inn").iter_rows() if i}
    by_ogrn = {g: o for o, g in ds.organizations.select("id", "ogrn").iter_rows() if g}
    site_org = dict(ds.sites.select("id", "organization").iter_rows())
    made: dict[str, set[str]] = {}
    for site, part in ds.production.select("site", "part").iter_rows():
        if site in site_org:
            made.setdefault(site_org[site], set()).add(part)
    codes = {
        r["id"]: (_digits(r["tnved"] or r["hs_code"]), _digits(r["okpd2"]))
        for r in ds.parts.select("id", "tnved", "hs_code", "okpd2").iter_rows(named=True)
    }
    orgs: list[str | None] = []
    parts: list[str | None] = []
    unlinked: list[Unlinked] = []
    for r in entries.iter_rows(named=True):
        org = by_inn.get(r["inn"]) if r["inn"] else None
        org = org or (by_ogrn.get(r["ogrn"]) if r["ogrn"] else None)
        row, number = int(r.get("__row__") or 0), str(r["number"])
        if org is None:
            ids = ", ".join(f"{k} {r[k.lower()]}" for k in ("INN", "OGRN") if r[k.lower()]) or "no INN or OGRN"
            unlinked.append(Unlinked(row, number, "organisation", f"no organisation with {ids}"))
            orgs.append(None)
            parts.append(None)
            continue
        tn, ok = _digits(r["tnved"]), _digits(r["okpd2"])
        hits = sorted(p for p in made.get(org, ()) if _related(tn, codes[p][0]) or _related(ok, codes[p][1]))
        orgs.append(org)
        parts.append(hits[0] if len(hits) == 1 else None)
        if len(hits) != 1:
            why = (
                f"{org} makes no part with TN VED {r['tnved'] or '—'} / OKPD2 {r['okpd2'] or '—'}"
                if not hits
                else f"{len(hits)} parts of {org} match ({', '.join(hits[:5])}): matched by code in the analysis"
            )
            unlinked.append(Unlinked(row, number, "part", why))
    out = entries.with_columns(
        pl.Series("organization", orgs, dtype=pl.String), pl.Series("part", parts, dtype=pl.String)
    )
    return out, unlinked


def merged(ds: Dataset, entries: pl.DataFrame, *, replace: bool = False) -> Dataset:
    """``ds`` with the entries added (an entry with the same number and product replaces the old one);
    ``replace``: the file is the whole registry (earlier entries dropped)."""
    new = entries.drop("__row__", strict=False)
    old = ds.registry_entries
    if not replace and old.height:
        old = old.join(new.select("number", "product"), on=["number", "product"], how="anti")
        new = pl.concat([old, new.select(old.columns)], how="vertical")
    return ds.replace(registry_entries=new.select(polars_schema(table("registry_entries")).keys()))
