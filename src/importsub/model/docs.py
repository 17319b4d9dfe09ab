"""The record reference (docs/records.md), generated from the schema.

``python -m importsub.model.docs > docs/records.md`` rewrites it; a test
checks the committed file is current.
"""

from __future__ import annotations

from importsub.model.schema import CURRENCY, LARGEST, TABLES, Field, RecordType


def _allowed(f: Field) -> str:
    return "; ".join(t for t in (f.bounds_text(), f.pattern_hint) if t)


def _table_md(rt: RecordType) -> str:
    lines = [
        f"## `{rt.name}` — {rt.record} ({rt.label} · {rt.label_ru})",
        "",
        rt.description,
        "",
        rt.description_ru,
        "",
        f"Key: {', '.join(f'`{k}`' for k in rt.key)}.",
        "",
        "| field | по-русски | type | unit | required | default | allowed | description | описание |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for f in rt.fields:
        ref = f" → `{f.ref}`" if f.ref else ""
        default = "" if f.required or f.default is None else f"`{f.default}`"
        codes = (
            f" ({', '.join(f'`{c}` {r}' for c, r in zip(f.choices, f.choices_ru, strict=True))})"
            if (f.choices and f.choices_ru)
            else ""
        )
        lines.append(
            f"| `{f.name}` | {f.label_ru} | {f.type} | {f.unit} | {'yes' if f.required else 'no'} | {default} | "
            f"{_allowed(f).replace('|', '/')} | {f.description}{ref} | {f.description_ru.replace('|', '/')}{codes} |"
        )
    for r in rt.refs:
        lines.append("")
        lines.append(
            f"({', '.join(r.fields)}) must match ({', '.join(r.target_fields)}) of `{r.table}`"
            + (f": {r.why}." if r.why else ".")
        )
    return "\n".join(lines)


def records_markdown() -> str:
    head = [
        "# Record reference",
        "",
        "Generated from `src/importsub/model/schema.py` by `python -m importsub.model.docs`; do not edit by hand.",
        "",
        f"Each record type is one xlsx sheet, one CSV file, one JSON key and one database table of the same name. Money is in {CURRENCY}.",
        "",
        f"Numbers are finite and at most {LARGEST:.0e} in magnitude; text holds no control characters "
        "(tabs and line breaks only in multi-line fields: `source`, `description`); dates are `YYYY-MM-DD`.",
        "",
    ]
    return "\n".join(head) + "\n" + "\n\n".join(_table_md(rt) for rt in TABLES) + "\n"


if __name__ == "__main__":
    import sys

    sys.stdout.write(records_markdown())
