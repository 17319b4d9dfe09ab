"""Passwords: argon2id hashes, the policy a new password must pass, one-time passwords.

The dummy hash that equalises the time of a sign-in with an unknown user name
is made on the first such sign-in, never when a store opens.
"""

from __future__ import annotations

import functools
import secrets
from typing import Final

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

from importsub.model.errors import ImportsubError

_hasher = PasswordHasher()


def hash_password(password: str) -> str:
    """An argon2id hash of ``password`` (salted; parameters in the hash)."""
    return _hasher.hash(password)


def verify_password(password_hash: str, password: str) -> bool:
    """Whether ``password`` matches ``password_hash`` (constant-time in argon2)."""
    try:
        return _hasher.verify(password_hash, password)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


def new_password() -> str:
    """A random one-time password (about 120 bits)."""
    return secrets.token_urlsafe(15)


@functools.cache
def dummy_hash() -> str:
    """A hash of a random password, to verify against when the user name is unknown (made once, on first use)."""
    return hash_password(secrets.token_hex(8))


MIN_PASSWORD: Final = 10
#: passwords people pick first (checked lower-cased, without spaces); a length rule alone lets them through
COMMON_PASSWORDS: Final = frozenset(
    {
        "password",
        "password1",
        "password12",
        "password123",
        "password1234",
        "passw0rd",
        "qwerty",
        "qwertyuiop",
        "qwerty123",
        "qwerty1234",
        "1234567890",
        "0123456789",
        "123456789",
        "1q2w3e4r5t",
        "1qaz2wsx3edc",
        "iloveyou",
        "letmein",
        "welcome",
        "welcome123",
        "administrator",
        "adminadmin",
        "admin12345",
        "changeme",
        "changeme123",
        "importsub",
        "importsub123",
        "пароль",
        "пароль123",
        "йцукенгшщз",
        "qwertyqwerty",
        "abcdefghij",
        "abc1234567",
        "zaq12wsxcde",
        "1q2w3e4r5t6y",
        "superuser",
    }
)


class WeakPasswordError(ImportsubError, ValueError):
    """A password that the policy refuses (the message says why, never echoing the password)."""


def password_problem(password: str, *, username: str | None = None) -> str | None:
    """Why ``password`` is refused, or None: at least :data:`MIN_PASSWORD` characters besides spaces at the
    ends, at least 4 different characters, not a common password, not the user name."""
    core = password.strip()
    if len(core) < MIN_PASSWORD:
        return f"a password needs at least {MIN_PASSWORD} characters (spaces at the ends do not count)"
    if len(set(core)) < 4:
        return "a password needs at least 4 different characters"
    folded = "".join(core.lower().split())
    if folded in COMMON_PASSWORDS:
        return "this password is among the most common ones; choose another"
    if username and username.strip() and username.strip().lower() in folded:
        return "a password must not contain the user name"
    return None


def check_policy(password: str, username: str | None) -> None:
    problem = password_problem(password, username=username)
    if problem:
        raise WeakPasswordError(problem)
