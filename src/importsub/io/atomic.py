"""Files that are whole or absent: write to a temporary file beside the target, then rename.

A full disk, Ctrl-C or any error while writing leaves an existing target as it
was and no partial file behind; the rename (``os.replace``) is atomic on every
file system a store or an export lives on.

Examples
--------
>>> import tempfile, pathlib
>>> target = pathlib.Path(tempfile.mkdtemp()) / "out.txt"
>>> with atomic_file(target) as tmp:
...     _ = tmp.write_text("whole")
>>> target.read_text()
'whole'
"""

from __future__ import annotations

import errno
import os
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from importsub.model.errors import ImportsubError

#: "no space left", "disk quota exceeded", "file too large" (a size limit of the process or file system)
FULL_ERRNOS = (errno.ENOSPC, errno.EDQUOT, errno.EFBIG)


def is_disk_full(exc: BaseException) -> bool:
    """An OSError of a full disk, or a library's error that says so (polars: "... (os error 28)")."""
    if isinstance(exc, OSError) and exc.errno in FULL_ERRNOS:
        return True
    text = str(exc).lower()
    return any(f"os error {n}" in text for n in FULL_ERRNOS) or "no space left" in text or "disk is full" in text


def _full(target: Path, exc: BaseException) -> ImportsubError:
    return ImportsubError(
        f"{target}: disk full, cannot write ({exc}); nothing was written and an existing {target.name} is unchanged"
    )


def _umask_mode() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return 0o666 & ~mask


@contextmanager
def atomic_file(target: Path | str) -> Iterator[Path]:
    """A temporary path beside ``target``; renamed to ``target`` when the block ends without error."""
    target = Path(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, name = tempfile.mkstemp(prefix=f".{target.stem}.", suffix=f".tmp{target.suffix}", dir=target.parent)
    os.close(fd)
    tmp = Path(name)
    try:
        yield tmp
        with open(tmp, "rb") as fh:
            os.fsync(fh.fileno())
        os.chmod(tmp, _umask_mode())
        os.replace(tmp, target)
    except BaseException as exc:
        tmp.unlink(missing_ok=True)
        if is_disk_full(exc):
            raise _full(target, exc) from exc
        raise


@contextmanager
def atomic_folder(target: Path | str) -> Iterator[Path]:
    """A temporary folder beside ``target``; its files move into ``target`` (made if absent) when the block
    ends without error, each by an atomic rename, so a failure while writing leaves ``target`` as it was."""
    target = Path(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent))
    try:
        yield tmp
        target.mkdir(exist_ok=True)
        for f in sorted(tmp.iterdir()):
            os.chmod(f, _umask_mode())
            os.replace(f, target / f.name)
    except BaseException as exc:
        if is_disk_full(exc):
            raise _full(target, exc) from exc
        raise
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


__all__ = ["atomic_file", "atomic_folder", "is_disk_full"]
