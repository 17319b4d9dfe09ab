"""Datasets as the web layer reads them: cached per immutable version, masked per viewer.

Dataset versions never change once written, so a version read from the
store is kept in a small LRU cache, and so is each masked view of it.
"Which datasets and versions there are" is kept while the store is unchanged
(:mod:`importsub.web.fresh`): a new version from any process shows
at the next request.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from starlette.concurrency import run_in_threadpool

from importsub.model.dataset import Dataset
from importsub.model.errors import NotFoundError
from importsub.store import DatasetInfo, Store, VersionInfo
from importsub.web.confidentiality import Viewer, mask_dataset
from importsub.web.fresh import Cache, Stamp

T = TypeVar("T")


class Datasets:
    """Read access to the store's datasets for the web layer.

    Parameters
    ----------
    store : Store
        The store.
    size : int
        Number of dataset versions (and, separately, masked views) kept in memory.
    """

    def __init__(self, store: Store, size: int = 8) -> None:
        self.store = store
        self._raw: Cache = Cache(size, max_age=None)  # keyed by version and fingerprint: never stale
        self._masked: Cache = Cache(size * 3, max_age=None)
        self._derived: Cache = Cache(size * 12, max_age=None)
        self._results: Cache = Cache(size * 8, max_age=None)
        self._listings = Cache(256, stamp=Stamp(store))

    def listing(self) -> list[DatasetInfo]:
        """Every dataset with its latest version (``Store.datasets``), until the store changes."""
        return list(self._listings.get_or_make("datasets", self.store.datasets))

    async def listing_async(self) -> list[DatasetInfo]:
        """:meth:`listing` for a coroutine: a cached listing at once, a read of the store in a thread."""
        hit, value = self._listings.peek("datasets")
        if hit:
            return list(value)  # type: ignore[call-overload]
        return await run_in_threadpool(self.listing)

    def versions(self, name: str) -> list[VersionInfo]:
        """Versions of ``name``, oldest first (``Store.versions``), until the store changes."""
        return list(self._listings.get_or_make(("versions", name), lambda: self.store.versions(name)))

    def resolve(self, name: str, version: int | None = None) -> VersionInfo:
        """The version record of ``name`` at ``version`` (default: latest); NotFoundError if absent."""
        infos = self.versions(name)
        if version is None:
            return infos[-1]
        for info in infos:
            if info.version == version:
                return info
        raise NotFoundError(
            f"no version {version} of dataset {name!r}; versions: {', '.join(str(i.version) for i in infos)}"
        )

    def full(self, name: str, version: int | None = None) -> Dataset:
        """The unmasked dataset (for analyses run on the server; never sent to a user as is)."""
        info = self.resolve(name, version)
        return self._raw.get_or_make(
            (name, info.version, info.fingerprint), lambda: self.store.read_dataset(name, info.version)
        )

    def visible(self, name: str, version: int | None, viewer: Viewer) -> Dataset:
        """The dataset as ``viewer`` may see it (see :mod:`importsub.web.confidentiality`)."""
        info = self.resolve(name, version)
        full = self.full(name, info.version)
        return self._masked.get_or_make(
            (name, info.version, info.fingerprint, viewer.key), lambda: mask_dataset(full, viewer)
        )

    def derived(self, name: str, version: int | None, viewer: Viewer, what: str, make: Callable[[Dataset], T]) -> T:
        """``make(visible dataset)``, computed once per version and viewer (e.g. the overview's figures)."""
        info = self.resolve(name, version)
        return self._derived.get_or_make(
            (name, info.version, info.fingerprint, viewer.key, what),
            lambda: make(self.visible(name, info.version, viewer)),
        )

    def result(self, key: object, make: Callable[[], T]) -> T:
        """A finished job's result as one viewer sees it, computed once (a stored result never changes)."""
        return self._results.get_or_make(key, make)

    def clear(self) -> None:
        self._raw.clear()
        self._masked.clear()
        self._derived.clear()
        self._results.clear()
        self._listings.clear()
