"""The record reference (docs/records.md), generated from the schema.

``python -m importsub.model.docs > docs/records.md`` rewrites it; a test
checks the committed file is current.
"""

from __future__ import annotations

from importsub.model.schema import CURRENCY, TABLES, RecordType


def _table_md(rt: RecordType) -> str:
    lines = [
        f"## `{rt.name}` — {rt.record}",
        "",
        rt.description,
        "",
        f"Key: {', '.join(f'`{k}`' for k in rt.key)}.",
        "",
        "| field | type | unit | required | default | allowed | description |",
        "|---|---|---|---|---|---|---|",
    ]
    for f in rt.fields:
        ref = f" → `{f.ref}`" if f.ref else ""
        default = "" if f.required or f.default is None else f"`{f.default}`"
        lines.append(
            f"| `{f.name}` | {f.type} | {f.unit} | {'yes' if f.required else 'no'} | {default} | "
            f"{f.bounds_text().replace('|', '/')} | {f.description}{ref} |"
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
    ]
    return "\n".join(head) + "\n" + "\n\n".join(_table_md(rt) for rt in TABLES) + "\n"


if __name__ == "__main__":
    import sys

    sys.stdout.write(records_markdown())
