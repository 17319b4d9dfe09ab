"""The baseline of ``web_load.py``: a bare FastAPI app serving a small JSON list, nothing else.

Served by the same uvicorn with the same worker count and driven by the same load
generator in the same run, so each case's p95 can be shown as a ratio to it.
"""

from __future__ import annotations

from fastapi import FastAPI

app = FastAPI()

ITEMS = [{"name": f"dataset-{i}", "version": i, "records": 1000 + i} for i in range(3)]


@app.get("/items")
def items() -> list[dict[str, object]]:
    return ITEMS
