"""Bounds on what a file may make a reader do: inflated size, compression ratio, rows, columns, time.

A zip container (an xlsx workbook, an uploaded zip of CSV files) is checked
member by member *before* anything is inflated (:func:`check_zip`), from the
sizes its central directory declares; Python's zip reader never inflates a
member past its declared size (a member that lies fails its CRC check), so
the declared sizes bound the memory a member can take while it is read.

Examples
--------
>>> LIMITS.rows, LIMITS.columns
(1048576, 16384)
>>> for_upload(50_000_000).member_bytes
1000000000
"""

from __future__ import annotations

import dataclasses
import time
import zipfile
from dataclasses import dataclass
from pathlib import Path

from importsub.model.errors import FileFormatError

MiB = 1 << 20


@dataclass(frozen=True)
class ReadLimits:
    """What one file may cost to read.

    ``rows`` and ``columns`` are a worksheet's own bounds (Excel's 1,048,576
    rows and 16,384 columns, XFD); ``ratio`` is the largest compression ratio
    accepted for a zip member of more than ``ratio_floor`` bytes (spreadsheet
    XML compresses 5–30:1; a bomb thousands to one).
    """

    member_bytes: int = 1024 * MiB
    total_bytes: int = 2048 * MiB
    members: int = 10_000
    ratio: float = 100.0
    ratio_floor: int = 1 * MiB
    rows: int = 1_048_576
    columns: int = 16_384
    seconds: float = 600.0


LIMITS = ReadLimits()


def for_upload(max_bytes: int) -> ReadLimits:
    """Limits for a dashboard upload of at most ``max_bytes``: 20× that inflated, two minutes to read."""
    inflated = max(20 * max_bytes, 16 * MiB)
    return dataclasses.replace(LIMITS, member_bytes=inflated, total_bytes=2 * inflated, seconds=120.0)


def _mb(n: float) -> str:
    return f"{n / 1e6:,.1f} MB"


def check_zip(zf: zipfile.ZipFile, label: str | Path, limits: ReadLimits = LIMITS) -> None:
    """Refuse a zip whose declared members are too many, too large or too compressed (a zip bomb)."""
    infos = zf.infolist()
    if len(infos) > limits.members:
        raise FileFormatError(f"{label}: {len(infos):,} parts in one file, more than {limits.members:,}; refused")
    total = 0
    for info in infos:
        size = info.file_size
        if size > limits.member_bytes:
            raise FileFormatError(
                f"{label}: part {info.filename} inflates to {_mb(size)}, more than the {_mb(limits.member_bytes)} "
                "a part may have; refused"
            )
        ratio = size / max(info.compress_size, 1)
        if size > limits.ratio_floor and ratio > limits.ratio:
            raise FileFormatError(
                f"{label}: part {info.filename} inflates {ratio:,.0f} times ({_mb(info.compress_size)} to "
                f"{_mb(size)}), more than {limits.ratio:,.0f} times; refused as a possible zip bomb"
            )
        total += size
        if total > limits.total_bytes:
            raise FileFormatError(f"{label}: its parts inflate to more than {_mb(limits.total_bytes)} in all; refused")


class Deadline:
    """Raises FileFormatError once ``limits.seconds`` have passed since it was made."""

    def __init__(self, label: str | Path, limits: ReadLimits = LIMITS) -> None:
        self.label = label
        self.seconds = limits.seconds
        self.end = time.monotonic() + limits.seconds

    def check(self, where: str = "") -> None:
        if time.monotonic() > self.end:
            at = f" ({where})" if where else ""
            raise FileFormatError(f"{self.label}: reading took longer than {self.seconds:,.0f} s{at}; refused")


__all__ = ["LIMITS", "Deadline", "ReadLimits", "check_zip", "for_upload"]
