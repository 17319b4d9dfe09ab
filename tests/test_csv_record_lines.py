"""The column-wise line counter of plain CSV text agrees with the csv module (the independent reader) on the
lines records start on and on the first line whose number of fields differs from the header's."""

from __future__ import annotations

from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from importsub.io.csv import _plain_record_lines, _quoted_record_lines
from importsub.model.errors import FileFormatError

_cell = st.text(alphabet="ab; ,\tжё1", max_size=4)
_line = st.lists(_cell, min_size=0, max_size=4).map(lambda cells: ",".join(cells))


def _outcome(fn, text: str) -> tuple[str, object]:
    try:
        return "ok", fn(Path("t.csv"), text, ",", "t")
    except FileFormatError as exc:
        return "error", str(exc)


@settings(max_examples=300, deadline=None)
@given(st.lists(_line, min_size=0, max_size=8), st.booleans())
def test_plain_lines_match_csv_module(lines: list[str], trailing: bool) -> None:
    text = "\n".join(lines) + ("\n" if trailing and lines else "")
    fast = _outcome(_plain_record_lines, text)
    if fast == ("ok", None):  # declined (a blank header): the csv module answers
        return
    assert fast == _outcome(_quoted_record_lines, text)


def test_plain_lines_name_the_short_line() -> None:
    text = "a,b,c\n1,2,3\n\n4,5\n"
    assert _outcome(_plain_record_lines, text) == _outcome(_quoted_record_lines, text)
    assert "2 fields, but the header has 3" in str(_outcome(_plain_record_lines, text)[1])
    assert _plain_record_lines(Path("t.csv"), "a,b\n1,2\n\n3,4", ",", "t") == [2, 3, 4]
