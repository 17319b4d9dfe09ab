"""Property-based tests of the REST API from its own OpenAPI document: no input gives a 5xx.

Schemathesis generates requests for every operation of ``/openapi.json``
(a few examples each, so each run stays near a minute) and sends them
through the ASGI app as an admin (the role that reaches every route), as an
analyst of one organisation and as a viewer (the roles most routes refuse or
narrow: a refusal must be a 4xx, never a crash).  The
strategies are driven with Hypothesis directly: the schemathesis pytest
plugin relies on pytest internals that pytest 9 removed.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import not_a_server_error
from webenv import USERS, Env, make_env

from importsub.store import accounts

EXAMPLES = 6
KNOWN = {"name": "plant", "scenario": "de-8w", "project": "P-BRAKE"}


@pytest.fixture(scope="module")
def st_env(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Env]:
    db = str(Path(tmp_path_factory.mktemp("schemathesis")) / "web.sqlite")
    yield from make_env(db)


@pytest.mark.parametrize("who", ["admin", "avto", "viewer"])
def test_no_server_errors_for_any_generated_request(st_env: Env, who: str) -> None:
    schema = schemathesis.openapi.from_asgi("/openapi.json", st_env.client.app)
    user = st_env.users[who]
    role, organization = USERS[who]

    def fresh_headers() -> dict[str, str]:
        # a generated request may revoke the token it came with, or (as an admin) demote or deactivate
        # the caller (allowed while another admin exists): every case starts from the user as made, with a new token
        with st_env.store.engine.begin() as conn:
            accounts.update_user(
                conn, user_id=user.id, role=role, active=True, organization=organization, must_change_password=False
            )
            secret, _ = accounts.create_api_token(conn, user_id=user.id, name="schemathesis")
        return {"Authorization": f"Bearer {secret}"}

    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) > 80
    calls = {"n": 0, "statuses": set()}

    for operation in operations:

        @given(case=operation.as_strategy())
        @settings(
            max_examples=EXAMPLES,
            deadline=None,
            suppress_health_check=list(HealthCheck),
            derandomize=True,
            database=None,
        )
        def check(case) -> None:  # type: ignore[no-untyped-def]
            # half of the cases use known names in the path, so they reach the handlers, not only the 404s
            if case.path_parameters:
                for key, value in KNOWN.items():
                    current = case.path_parameters.get(key)
                    if isinstance(current, str) and len(current) % 2:
                        case.path_parameters[key] = value
            response = case.call(headers=fresh_headers())
            calls["n"] += 1
            calls["statuses"].add(response.status_code)  # type: ignore[union-attr]
            if response.status_code == 401:  # only a wrong password may be refused: the caller is signed in
                assert case.path == "/api/auth/token", case.path
            case.validate_response(response, checks=[not_a_server_error])

        check()
    assert calls["n"] >= len(operations)
    if who == "admin":
        assert {200, 201, 204} <= calls["statuses"]  # generated requests reached the handlers
    else:
        assert 200 in calls["statuses"]  # reads answered
        assert 403 in calls["statuses"]  # writes beyond the role refused
