"""What the user administration page shows: the accounts, the organisations to choose from, the audit log."""

from __future__ import annotations

from typing import Any

from sqlalchemy.engine import Connection

from importsub.store import accounts
from importsub.web.labels import role_label
from importsub.web.services.data import Datasets

ROLES = ("viewer", "analyst", "programme", "admin")
AUDIT_PAGE = 50


def organisation_choices(datasets: Datasets) -> list[tuple[str, str]]:
    """(id, label) of every organisation in the latest version of any dataset, sorted by id."""
    found: dict[str, str] = {}
    for info in datasets.listing():
        orgs = datasets.full(info.name).tables["organizations"]
        local = orgs["name_local"].to_list() if "name_local" in orgs.columns else [None] * orgs.height
        for oid, name, name_local in zip(orgs["id"].to_list(), orgs["name"].to_list(), local, strict=True):
            found.setdefault(str(oid), f"{oid} — {name_local or name}")
    return sorted(found.items())


def users_context(conn: Connection, datasets: Datasets, *, audit_offset: int = 0, **extra: Any) -> dict[str, Any]:
    """The context of ``users.html``: ``users``, ``organisations``, ``roles``, ``audit`` (one page, newest first)."""
    audit = accounts.list_audit(conn, limit=AUDIT_PAGE + 1, offset=audit_offset)
    return {
        "users": accounts.list_users(conn),
        "organisations": organisation_choices(datasets),
        "roles": ROLES,
        "role_label": role_label,
        "audit": audit[:AUDIT_PAGE],
        "audit_offset": audit_offset,
        "audit_more": len(audit) > AUDIT_PAGE,
        "audit_page": AUDIT_PAGE,
        "error": None,
        "created": None,
        "reset": None,
        **extra,
    }
