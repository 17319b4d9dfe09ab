"""Per-process caches that stay correct while other processes write the store.

Every request used to open the store two or three times (the caller's token or
session, the dataset list, the latest version): about 2 ms each on SQLite,
most of a request's time under load.  A :class:`Stamp` is a cheap fingerprint
of the store's state — for a SQLite file, the size and modification time of
the database and its write-ahead log, which every commit of any process
changes — and a :class:`Cache` given that stamp keeps a value only while the
stamp is the one it was made under, and never longer than ``max_age`` seconds
(the bound on staleness should two commits land inside one tick of the file
clock with the same log size).  The same class without a stamp is the plain
LRU of values that never change (dataset versions, masked views, results).  Stores whose state cannot be stamped this way (PostgreSQL,
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


class Cache:
    """An LRU cache of at most ``size`` keys, thread-safe; with a ``stamp``, a value is kept only while the
    store's stamp is the one it was made under and never longer than ``max_age`` seconds.

    Without a stamp it suits values that never change once made (a dataset version, its masked views, a
    stored result), with ``max_age=None`` (no age limit).  With a stamp whose store cannot be stamped
    (``stamp()`` is None) nothing is kept: every call makes the value.
    """

    def __init__(self, size: int = 1024, *, stamp: Stamp | None = None, max_age: float | None = 2.0) -> None:
        self.stamp = stamp
        self.size = size
        self.max_age = max_age
        self._items: OrderedDict[object, tuple[object, float, object]] = OrderedDict()
        self._lock = threading.Lock()

    def _current(self) -> tuple[bool, object]:
        """(whether to cache at all, the stamp to compare)."""
        if self.stamp is None:
            return True, None
        current = self.stamp()
        return current is not None, current

    def _lookup(self, key: object, current: object) -> tuple[bool, object]:
        with self._lock:
            entry = self._items.get(key)
            if entry is None:
                return False, None
            made_under, made_at, value = entry
            if made_under == current and (self.max_age is None or time.monotonic() - made_at < self.max_age):
                self._items.move_to_end(key)
                return True, value
            del self._items[key]  # stale: never served again
        return False, None

    def peek(self, key: object) -> tuple[bool, object]:
        """(True, value) when a fresh value is cached for ``key``, else (False, None)."""
        use, current = self._current()
        return self._lookup(key, current) if use else (False, None)

    def put(self, key: object, value: object, made_under: object) -> None:
        """Keep ``value`` as made under stamp ``made_under`` (taken *before* the value was made)."""
        with self._lock:
            self._items[key] = (made_under, time.monotonic(), value)
            self._items.move_to_end(key)
            while len(self._items) > self.size:
                self._items.popitem(last=False)

    def get_or_make(self, key: object, make: Callable[[], T]) -> T:
        """The cached value of ``key`` while fresh, else ``make()`` (stored under the stamp taken before it
        ran, so a commit during ``make`` leaves a value that the next call finds stale)."""
        use, current = self._current()
        if not use:
            return make()
        hit, value = self._lookup(key, current)
        if hit:
            return value  # type: ignore[return-value]
        value = make()  # outside the lock: values of different keys are made in parallel
        self.put(key, value, current)
        return value

    def __len__(self) -> int:
        return len(self._items)

    def clear(self) -> None:
        with self._lock:
            self._items.clear()
