"""Ctrl-C after a write has landed: the ``importsub`` command process ignores it from the commit on.

The command only reports and exits once its version is committed; a Ctrl-C in between must not turn a
written version into "interrupted; nothing more was written".  The store keeps Ctrl-C ignored after a
COMMIT it holds it for when :func:`hold_after_commit` was called (the console entry point does);
a library or web caller keeps its own Ctrl-C.
"""

from __future__ import annotations

_HOLD = [False]


def hold_after_commit() -> None:
    """From now on, Ctrl-C stays ignored once a version's COMMIT has returned (command processes only)."""
    _HOLD[0] = True


def held_after_commit() -> bool:
    """Whether :func:`hold_after_commit` was called in this process."""
    return _HOLD[0]
