"""docs/results.md is generated from the result declarations and is current."""

from __future__ import annotations

from pathlib import Path

from importsub.model.results import ROWS, result_columns, result_tables
from importsub.model.results_docs import _cell, results_markdown

PAGE = Path(__file__).parents[1] / "docs" / "results.md"


def test_results_page_current() -> None:
    committed = PAGE.read_text(encoding="utf-8")
    assert committed == results_markdown(), (
        "docs/results.md is stale: python -m importsub.model.results_docs > docs/results.md"
    )


def test_every_declared_column_and_table_appears() -> None:
    page = results_markdown()
    cols = result_columns()
    for (kind, name), t in result_tables().items():
        assert f"## {kind}\n" in page
        assert f"### `{name}`" in page
        assert t.description in page
        assert t.description_ru in page
        for col in t.owners:
            if col == ROWS:
                continue
            c = cols[col]
            row = (
                f"| `{_cell(c.name)}` | {_cell(c.unit or '')} | {_cell(c.description)} | "
                f"{_cell(c.description_ru)} | {_cell(t.owners[col].describe())} |"
            )
            assert row in page, (kind, name, col)
