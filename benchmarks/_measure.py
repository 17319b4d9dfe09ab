"""Measuring helpers for the benchmarks: wall time and peak resident memory of a block.

Peak memory is sampled from /proc/self/statm by a background thread (every
5 ms), so it sees native allocations (polars, numpy, HiGHS) that tracemalloc
would miss; it is reported as the rise over the resident size at entry.
"""

from __future__ import annotations

import os
import threading
import time
from dataclasses import dataclass, field
from types import TracebackType

_PAGE = os.sysconf("SC_PAGE_SIZE")


def rss_bytes() -> int:
    with open("/proc/self/statm") as fh:
        return int(fh.read().split()[1]) * _PAGE


@dataclass
class Measure:
    """``with Measure() as m: ...`` then ``m.seconds`` and ``m.peak_mib``."""

    interval: float = 0.005
    seconds: float = 0.0
    peak_bytes: int = 0
    _start_rss: int = 0
    _stop: threading.Event = field(default_factory=threading.Event)
    _thread: threading.Thread | None = None

    def _sample(self) -> None:
        while not self._stop.is_set():
            self.peak_bytes = max(self.peak_bytes, rss_bytes() - self._start_rss)
            self._stop.wait(self.interval)

    def __enter__(self) -> Measure:
        self._start_rss = rss_bytes()
        self._thread = threading.Thread(target=self._sample, daemon=True)
        self._thread.start()
        self._t0 = time.perf_counter()
        return self

    def __exit__(self, et: type[BaseException] | None, ev: BaseException | None, tb: TracebackType | None) -> None:
        self.seconds = time.perf_counter() - self._t0
        self._stop.set()
        if self._thread is not None:
            self._thread.join()
        self.peak_bytes = max(self.peak_bytes, rss_bytes() - self._start_rss)

    @property
    def peak_mib(self) -> float:
        return self.peak_bytes / 2**20
