"""Uploaded files -> a validated Dataset, with problems named by the uploaded file's own name.

Accepted: one ``.xlsx`` workbook, one ``.json`` document, one ``.csv`` file
named after its record type, or a ``.zip`` of CSV files (a CSV folder).
The file goes through :func:`importsub.io.read_path` (the same readers and
validation as the CLI); nothing is written to the store here.
"""

from __future__ import annotations

import re
import tempfile
import zipfile
from pathlib import Path, PurePosixPath

from importsub.model.dataset import Dataset
from importsub.model.errors import FileFormatError, Problem, ValidationError
from importsub.web.i18n import gettext as _

SUFFIXES = (".xlsx", ".json", ".csv", ".zip")
DATASET_NAME = r"^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$"
_SAFE = re.compile(r"[^A-Za-z0-9._-]+")


def safe_filename(filename: str) -> str:
    """A plain file name (no folders, no odd characters) keeping the suffix."""
    base = PurePosixPath(filename.replace("\\", "/")).name or "upload"
    stem, dot, suffix = base.rpartition(".")
    if not dot:
        stem, suffix = base, ""
    stem = _SAFE.sub("_", stem).strip("._") or "upload"
    return f"{stem[:80]}.{suffix.lower()}" if suffix else stem[:80]


def read_upload(content: bytes, filename: str, *, name: str, max_bytes: int) -> Dataset:
    """Validate an uploaded file and return its dataset.

    Raises
    ------
    FileFormatError
        Unknown type, too large, or unreadable.
    ValidationError
        Problems in the data; each names the uploaded file, sheet, row and column.
    """
    if len(content) > max_bytes:
        raise FileFormatError(_("The file is larger than %(mb)s MB.", mb=round(max_bytes / 1e6)))
    clean = safe_filename(filename)
    suffix = Path(clean).suffix.lower()
    if suffix not in SUFFIXES:
        raise FileFormatError(
            _("%(file)s: unknown file type; use .xlsx, .json, .csv or a .zip of CSV files.", file=clean)
        )
    from importsub.io import read_path
    from importsub.io.limits import for_upload

    with tempfile.TemporaryDirectory(prefix="importsub-upload-") as tmp:
        root = Path(tmp)
        if suffix == ".zip":
            target = root / Path(clean).stem
            target.mkdir()
            unzip_csvs(content, target, clean, max_bytes)
        else:
            target = root / clean
            target.write_bytes(content)
        try:
            return read_path(target, name=name, limits=for_upload(max_bytes))
        except ValidationError as exc:
            raise ValidationError([_rename(p, root) for p in exc.problems], exc.total) from None
        except FileFormatError as exc:
            raise FileFormatError(str(exc).replace(str(root) + "/", "")) from None


def _rename(p: Problem, root: Path) -> Problem:
    file = p.file
    if file and file.startswith(str(root)):
        file = file[len(str(root)) + 1 :]
    return Problem(file, p.sheet, p.row, p.column, p.message)


def unzip_csvs(content: bytes, target: Path, label: str, max_bytes: int) -> None:
    """The CSV files of an uploaded zip written into folder ``target`` (sizes checked as declared and as read)."""
    import io

    try:
        zf = zipfile.ZipFile(io.BytesIO(content))
    except zipfile.BadZipFile:
        raise FileFormatError(_("%(file)s: not a readable zip file.", file=label)) from None
    from importsub.io.limits import check_zip, for_upload

    total = 0
    with zf:
        check_zip(zf, label, for_upload(max_bytes))  # sizes and ratios as declared: a zip bomb stops here
        for info in zf.infolist():
            if info.is_dir():
                continue
            base = PurePosixPath(info.filename).name
            if not base.lower().endswith(".csv") or base.startswith("."):
                continue
            total += info.file_size
            if total > 4 * max_bytes:
                raise FileFormatError(_("The file is larger than %(mb)s MB.", mb=round(4 * max_bytes / 1e6)))
            try:
                data = zf.read(info)  # never more than the declared size: a member that lies fails its CRC
            except (zipfile.BadZipFile, OSError, EOFError) as exc:
                raise FileFormatError(_("%(file)s: not a readable zip file.", file=label) + f" ({exc})") from None
            (target / safe_filename(base)).write_bytes(data)
    if not any(target.iterdir()):
        raise FileFormatError(_("%(file)s: the zip file holds no CSV files.", file=label))
