"""Errors that name where the problem is."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

MAX_PROBLEMS = 200
"""Problems listed at most in one validation error (the total is always counted)."""


class ImportsubError(Exception):
    """Base of every error importsub raises on purpose (shown without a traceback)."""


@dataclass(frozen=True, order=True)
class Problem:
    """One problem in input data, located as precisely as known.

    ``row`` is the row number the user sees in the file (spreadsheet row or
    CSV line, header = 1) or, for in-memory data, the 1-based record index.

    ``message`` is the English text (what the CLI prints and files store).  A problem found by validation
    also carries the message's id and its parameters as JSON (``message_id``, ``args``): a page in another
    language renders it again from them (:func:`importsub.model.messages.problem_text`).  They are not
    compared: two problems at the same place with the same English are the same problem.
    """

    file: str | None
    sheet: str | None
    row: int | None
    column: str | None
    message: str
    message_id: str | None = field(default=None, compare=False)
    args: str | None = field(default=None, compare=False)

    def where(self) -> str:
        parts = []
        if self.file:
            parts.append(self.file)
        if self.sheet:
            parts.append(f"sheet {self.sheet}")
        if self.row is not None:
            parts.append(f"row {self.row}")
        if self.column:
            parts.append(f"column {self.column}")
        return ", ".join(parts) or "dataset"

    def __str__(self) -> str:
        return f"{self.where()}: {self.message}"

    def as_json(self) -> dict[str, Any]:
        """The problem as JSON (as the API sends it and a contribution stores it; ``Problem(**d)`` reads it back):
        where, what, and the message's id and parameters where it has them."""
        out: dict[str, Any] = {
            "file": self.file,
            "sheet": self.sheet,
            "row": self.row,
            "column": self.column,
            "message": self.message,
        }
        if self.message_id is not None:
            out |= {"message_id": self.message_id, "args": self.args}
        return out


class ValidationError(ImportsubError):
    """Input data has problems; nothing was written."""

    def __init__(self, problems: list[Problem], total: int | None = None) -> None:
        self.problems = problems
        self.total = total if total is not None else len(problems)
        head = "; ".join(str(p) for p in problems[:3])
        more = f" (and {self.total - 3} more)" if self.total > 3 else ""
        super().__init__(f"{self.total} problem(s) in input: {head}{more}")


class FileFormatError(ImportsubError):
    """A file cannot be read at all (corrupt, wrong format, wrong encoding)."""


class NotFoundError(ImportsubError):
    """A named dataset, version, scenario or project does not exist."""


class AnalysisError(ImportsubError):
    """An analysis cannot be run on this input (names the offending record)."""


class InfeasibleError(AnalysisError):
    """An optimisation model has no feasible solution."""


class UnboundedError(AnalysisError):
    """An optimisation model is unbounded."""
