"""The result reference (docs/results.md), generated from the result declarations.

``python -m importsub.model.results_docs > docs/results.md`` rewrites it; a test
checks the committed file is current (like ``docs/records.md`` from
:mod:`importsub.model.docs`).
"""

from __future__ import annotations

from importsub.model.results import ROWS, ResultTable, result_columns, result_tables


def _cell(text: str) -> str:
    """Text safe inside a markdown table cell."""
    return text.replace("|", "/").replace("\n", " ")


def _table_md(t: ResultTable) -> str:
    cols = result_columns()
    lines = [f"### `{t.name}`", "", t.description, "", f"*{t.label_ru}: {t.description_ru}*", ""]
    if ROWS in t.owners:
        lines += [f"Which rows the table has is a figure of: {t.owners[ROWS].describe()}.", ""]
    if t.terminal:
        lines += [f"In a terminal (without `--wide`): {', '.join(f'`{_cell(c)}`' for c in t.terminal)}.", ""]
    lines += [
        "| column | unit | description | описание | owner |",
        "|---|---|---|---|---|",
    ]
    for name, owner in t.owners.items():
        if name == ROWS:
            continue
        c = cols[name]
        lines.append(
            f"| `{_cell(c.name)}` | {_cell(c.unit or '')} | {_cell(c.description)} | "
            f"{_cell(c.description_ru)} | {_cell(owner.describe())} |"
        )
    return "\n".join(lines)


def results_markdown() -> str:
    """The whole reference page: every analysis, its tables, their columns (unit, descriptions, owner)."""
    head = [
        "# Result reference",
        "",
        "Generated from `src/importsub/model/data/result_*.csv` by `python -m importsub.model.results_docs`; "
        "do not edit by hand.",
        "",
        "Every analysis returns named tables; a column's unit is the part of its name in brackets "
        "(`lost margin [RUB]`). The owner says whose figure a column is, which decides who sees it on the web.",
        "",
    ]
    by_kind: dict[str, list[ResultTable]] = {}
    for (kind, _), t in result_tables().items():
        by_kind.setdefault(kind, []).append(t)
    sections = [f"## {kind}\n\n" + "\n\n".join(_table_md(t) for t in tables) for kind, tables in by_kind.items()]
    return "\n".join(head) + "\n" + "\n\n".join([*sections, _labels_md()]) + "\n"


def _labels_md() -> str:
    """Every column's Russian label (the header of Russian pages and reports)."""
    lines = ["## Russian labels", "", "| column | заголовок |", "|---|---|"]
    lines += [f"| `{_cell(c.name)}` | {_cell(c.label_ru)} |" for c in result_columns().values()]
    return "\n".join(lines)


if __name__ == "__main__":
    import sys

    sys.stdout.write(results_markdown())
