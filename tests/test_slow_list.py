"""The list of slow tests names tests that exist (a stale entry would mark nothing, silently)."""

from __future__ import annotations

from slow_tests import exists, listed


def test_every_listed_slow_test_exists() -> None:
    _, ids = listed()
    assert ids == sorted(set(ids)), "tests/slow_tests.txt: keep it sorted, one entry each"
    stale = [i for i in ids if not exists(i)]
    assert not stale, f"tests/slow_tests.txt names tests that no longer exist: {stale}"
