"""Accounts, sessions, API tokens, rate limiting, audit log and background jobs: one name for them all.

Each concern has its module (:mod:`~importsub.store.users`,
:mod:`~importsub.store.passwords`, :mod:`~importsub.store.sessions` (and API
tokens), :mod:`~importsub.store.logins`, :mod:`~importsub.store.audit`,
:mod:`~importsub.store.jobs`); their tables are in
:mod:`importsub.store.tables` (migration ``0002_accounts``).  This module
gathers their public names, so callers write ``accounts.create_user(...)``.

Secrets are never stored: passwords as argon2id hashes, session and API
tokens as SHA-256 digests of high-entropy random strings.  Every function
takes a SQLAlchemy ``Connection`` (the caller owns the transaction) and
keyword-only arguments.
"""

from __future__ import annotations

from importsub.store.audit import audit, list_audit
from importsub.store.base import digest, now
from importsub.store.base import utc as _utc
from importsub.store.jobs import (
    JOB_STATUSES,
    SEES_ALL_JOBS,
    Job,
    add_requester,
    claim_next_job,
    create_job,
    fail_job,
    find_job,
    finish_job,
    get_job,
    input_hash,
    job_requester_ids,
    job_visible,
    list_jobs,
    recover_jobs,
    set_job_progress,
)
from importsub.store.logins import login_blocked_for, purge_login_attempts, record_login_attempt
from importsub.store.passwords import (
    COMMON_PASSWORDS,
    MIN_PASSWORD,
    WeakPasswordError,
    hash_password,
    new_password,
    password_problem,
    verify_password,
)
from importsub.store.sessions import (
    TOKEN_PREFIX,
    ApiToken,
    Session,
    create_api_token,
    create_session,
    delete_session,
    get_session,
    list_api_tokens,
    purge_sessions,
    revoke_api_token,
    user_for_api_token,
)
from importsub.store.tables import ACCOUNT_TABLES, api_tokens, audit_log, jobs, login_attempts, sessions, users
from importsub.store.users import (
    ROLES,
    Role,
    User,
    bootstrap_admin,
    check_password,
    count_admins,
    count_users,
    create_user,
    delete_user,
    get_user,
    list_users,
    revoke_all_api_tokens,
    set_password,
    update_user,
)

__all__ = [
    "ACCOUNT_TABLES",
    "COMMON_PASSWORDS",
    "JOB_STATUSES",
    "MIN_PASSWORD",
    "ROLES",
    "SEES_ALL_JOBS",
    "TOKEN_PREFIX",
    "ApiToken",
    "Job",
    "Role",
    "Session",
    "User",
    "WeakPasswordError",
    "_utc",
    "add_requester",
    "api_tokens",
    "audit",
    "audit_log",
    "bootstrap_admin",
    "check_password",
    "claim_next_job",
    "count_admins",
    "count_users",
    "create_api_token",
    "create_job",
    "create_session",
    "create_user",
    "delete_session",
    "delete_user",
    "digest",
    "fail_job",
    "find_job",
    "finish_job",
    "get_job",
    "get_session",
    "get_user",
    "hash_password",
    "input_hash",
    "job_requester_ids",
    "job_visible",
    "jobs",
    "list_api_tokens",
    "list_audit",
    "list_jobs",
    "list_users",
    "login_attempts",
    "login_blocked_for",
    "new_password",
    "now",
    "password_problem",
    "purge_login_attempts",
    "purge_sessions",
    "record_login_attempt",
    "recover_jobs",
    "revoke_all_api_tokens",
    "revoke_api_token",
    "sessions",
    "set_job_progress",
    "set_password",
    "update_user",
    "user_for_api_token",
    "users",
    "verify_password",
]
