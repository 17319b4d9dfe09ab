"""Ctrl-C after a write has landed: the ``importsub`` command process ignores it from the commit on.

The command only reports and exits once its version is committed; a Ctrl-C in between must not turn a
written version into "interrupted; nothing more was written".  One flag, set by the console entry point
(:func:`hold_after_commit`): the store keeps Ctrl-C ignored after the COMMIT of its SQLite bulk write,
and ``importsub.cli.common.landed`` ignores it once any write has returned; a library or web caller,
which never sets it, keeps its own Ctrl-C.
"""

from __future__ import annotations

_HOLD = [False]


def hold_after_commit() -> None:
    """From now on, Ctrl-C stays ignored once a version's COMMIT has returned (command processes only)."""
    _HOLD[0] = True


def held_after_commit() -> bool:
    """Whether :func:`hold_after_commit` was called in this process."""
    return _HOLD[0]
