"""Response shapes that several routers share: a write's new version, and the problems of a rejected input."""

# no "from __future__ import annotations": FastAPI reads the models from the signatures
from collections.abc import Iterable
from typing import Any

from fastapi.responses import JSONResponse
from pydantic import BaseModel

from importsub.model.errors import Problem


class WriteOut(BaseModel):
    dataset: str
    version: int
    fingerprint: str
    counts: dict[str, int]


def problem_dicts(problems: Iterable[Problem]) -> list[dict[str, Any]]:
    """Problems as JSON: where (file, sheet, row, column) and what (:meth:`Problem.as_json`: the English message,
    and its message id and parameters where it has them)."""
    return [p.as_json() for p in problems]


def problems_response(problems: list[Problem], total: int, status_code: int, detail: str) -> JSONResponse:
    """``{"detail", "total", "problems"}`` with ``status_code`` (403 for permissions, 422 for invalid input)."""
    return JSONResponse(
        {"detail": detail, "total": total, "problems": problem_dicts(problems)}, status_code=status_code
    )
