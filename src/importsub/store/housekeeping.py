"""Housekeeping of a served store: expired sessions and old sign-in attempts are deleted.

``importsub serve`` runs :func:`housekeep` at start and then every
:data:`INTERVAL` seconds in a background thread (:class:`Housekeeper`).
"""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass

from importsub.store import Store
from importsub.store.logins import purge_login_attempts
from importsub.store.sessions import purge_sessions

#: seconds between two rounds of housekeeping
INTERVAL = 3600.0

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Swept:
    """What one round deleted."""

    sessions: int
    login_attempts: int


def housekeep(store: Store) -> Swept:
    """Delete the expired sessions and the sign-in attempts older than a day, in one transaction."""
    with store.writing() as conn:
        return Swept(purge_sessions(conn), purge_login_attempts(conn))


class Housekeeper:
    """A daemon thread running :func:`housekeep` on ``store`` now and then every ``interval`` seconds."""

    def __init__(self, store: Store, *, interval: float = INTERVAL) -> None:
        self.store = store
        self.interval = interval
        self.rounds = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, name="importsub-housekeeping", daemon=True)

    def start(self) -> Housekeeper:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join()

    def _loop(self) -> None:
        while True:
            try:
                housekeep(self.store)
            except Exception:  # a busy or unreachable store: try again next round, the server goes on
                log.exception("housekeeping of %s failed", self.store)
            self.rounds += 1
            if self._stop.wait(self.interval):
                return
