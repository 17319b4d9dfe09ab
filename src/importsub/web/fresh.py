"""Per-process caches that stay correct while other processes write the store.

Every request used to open the store two or three times (the caller's token or
session, the dataset list, the latest version): about 2 ms each on SQLite,
most of a request's time under load.  A :class:`Stamp` is a cheap fingerprint
of the store's state — for a SQLite file, the size and modification time of
the database and its write-ahead log, which every commit of any process
changes — and a :class:`FreshCache` keeps a value only while the stamp is the
one it was made under, and never longer than ``max_age`` seconds (the bound on
staleness should two commits land inside one tick of the file clock with the
same log size).  Stores whose state cannot be stamped this way (PostgreSQL,
in-memory SQLite) are not cached: every call makes the value.

Keys say who asks (a token's or a session's digest, a viewer's key), so one
caller's value is never served to another.
"""

from __future__ import annotations

import os
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

from importsub.store import Store

T = TypeVar("T")


class Stamp:
    """The store's state as a comparable value (None: cannot be stamped, do not cache)."""

    def __init__(self, store: Store) -> None:
        self._files: tuple[Path, Path] | None = None
        if store.is_sqlite and ":///" in store.url:
            path = store.url.split(":///", 1)[1]
            if path.startswith("file:"):  # a read-only URI: sqlite:///file:PATH?mode=ro...
                path = path[5:].split("?", 1)[0]
            if path and path != ":memory:" and "?" not in path:
                self._files = (Path(path), Path(path + "-wal"))

    def __call__(self) -> tuple[int, ...] | None:
        if self._files is None:
            return None
        out: list[int] = []
        for file in self._files:
            try:
                st = os.stat(file)
            except FileNotFoundError:
                out += [-1, -1, -1]
                continue
            out += [st.st_mtime_ns, st.st_size, st.st_ino]
        return tuple(out)


class FreshCache:
    """Values valid for one store stamp and at most ``max_age`` seconds, LRU-bounded to ``size`` keys."""

    def __init__(self, stamp: Stamp, *, size: int = 1024, max_age: float = 2.0) -> None:
        self.stamp = stamp
        self.size = size
        self.max_age = max_age
        self._items: OrderedDict[object, tuple[object, float, object]] = OrderedDict()
        self._lock = threading.Lock()

    def peek(self, key: object) -> tuple[bool, object]:
        """(True, value) when a fresh value is cached for ``key``, else (False, None)."""
        current = self.stamp()
        if current is None:
            return False, None
        with self._lock:
            entry = self._items.get(key)
            if entry is not None and entry[0] == current and time.monotonic() - entry[1] < self.max_age:
                self._items.move_to_end(key)
                return True, entry[2]
        return False, None

    def get_or_make(self, key: object, make: Callable[[], T]) -> T:
        """The cached value of ``key`` while fresh, else ``make()`` (stored under the stamp taken before it ran)."""
        current = self.stamp()
        if current is None:
            return make()
        hit, value = self.peek(key)
        if hit:
            return value  # type: ignore[return-value]
        value = make()
        with self._lock:
            self._items[key] = (current, time.monotonic(), value)
            self._items.move_to_end(key)
            while len(self._items) > self.size:
                self._items.popitem(last=False)
        return value

    def clear(self) -> None:
        with self._lock:
            self._items.clear()
