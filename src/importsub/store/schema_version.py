"""The store's schema version, read cheaply: is a store already at the newest migration?

Opening a store must not load the Alembic environment when there is nothing to
migrate (it costs more than the command the user asked for).  The head revision
is read once per process from the migration files' ``revision`` /
``down_revision`` lines; a store's revision is one ``SELECT`` of
``alembic_version``.  Alembic runs only when they differ.
"""

from __future__ import annotations

import functools
import re
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from importsub.model.errors import ImportsubError

MIGRATIONS = Path(__file__).parent / "migrations"
_REVISION = re.compile(r"^revision\s*(?::\s*str\s*)?=\s*[\"']([^\"']+)[\"']", re.MULTILINE)
_DOWN = re.compile(r"^down_revision\s*(?::[^=]+)?=\s*(None|[\"']([^\"']+)[\"'])", re.MULTILINE)


@functools.cache
def head_revision(folder: Path = MIGRATIONS) -> str:
    """The one revision of ``folder/versions`` that no other revision follows (computed once).

    A migration file without a ``revision`` line, or a history with several
    heads, is an error naming the file(s): a guess could skip a migration.
    """
    revisions: dict[str, Path] = {}
    downs: set[str] = set()
    for path in sorted((folder / "versions").glob("*.py")):
        if path.name == "__init__.py":
            continue
        text = path.read_text(encoding="utf-8")
        rev, down = _REVISION.search(text), _DOWN.search(text)
        if rev is None or down is None:
            raise ImportsubError(f"migration {path.name}: no 'revision = ...' and 'down_revision = ...' lines")
        revisions[rev.group(1)] = path
        if down.group(2):
            downs.add(down.group(2))
    heads = sorted(set(revisions) - downs)
    if len(heads) != 1:
        raise ImportsubError(
            f"migrations in {folder}: {len(heads)} heads ({', '.join(revisions[h].name for h in heads)}); need one"
        )
    return heads[0]


def current_revisions(engine: Engine) -> tuple[str, ...]:
    """The revisions recorded in the store's ``alembic_version`` table (empty: a new store)."""
    with engine.connect() as conn:
        if not sa.inspect(conn).has_table("alembic_version"):
            return ()
        return tuple(conn.execute(sa.text("SELECT version_num FROM alembic_version")).scalars())


def at_head(engine: Engine) -> bool:
    """Whether the store's schema is the newest (read without a write lock and without Alembic)."""
    return current_revisions(engine) == (head_revision(),)
