"""Uploaded files -> a validated Dataset, with problems named by the uploaded file's own name.

Accepted: one ``.xlsx`` workbook, one ``.json`` document, one ``.csv`` file
named after its record type, or a ``.zip`` of CSV files (a CSV folder).
The file goes through :func:`importsub.io.read_path` (the same readers and
validation as the CLI); nothing is written to the store here.

Receiving: a route built by :func:`capped_upload_route` parses a
``multipart/form-data`` body as it streams in, chunk by chunk, the file
spooled to a temporary file (memory up to 1 MB, then disk).  Before a byte is
read the route's gate (who may send a file) runs and the declared
``Content-Length`` is checked; while reading, the file's bytes are counted
and the request is refused with 413 as soon as they pass the cap
(``Settings.max_upload_mb``), so the server never reads more than the cap
plus one chunk; the partial spool is deleted and nothing is stored.
"""

from __future__ import annotations

import dataclasses
import re
import tempfile
import zipfile
from collections.abc import AsyncGenerator, AsyncIterator, Callable, Coroutine
from contextlib import aclosing
from pathlib import Path, PurePosixPath
from typing import Any, BinaryIO, Final

from fastapi import HTTPException, Request, Response, status
from fastapi.routing import APIRoute
from starlette.datastructures import FormData, Headers
from starlette.formparsers import MultiPartException, MultiPartParser

from importsub.model.dataset import Dataset
from importsub.model.errors import FileFormatError, Problem, ValidationError
from importsub.web.i18n import gettext as _

SUFFIXES = (".xlsx", ".json", ".csv", ".zip")
DATASET_NAME = r"^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$"
_SAFE = re.compile(r"[^A-Za-z0-9._-]+")
#: bytes copied at a time from a spooled upload
CHUNK: Final = 64 * 1024
#: what a multipart body may hold beside the file: part headers and the small form fields [bytes]
ENVELOPE: Final = 64 * 1024
#: an uploaded file: its bytes, or the spooled temporary file the route received
Source = bytes | BinaryIO


def upload_cap(settings: Any) -> int:
    """The largest file an upload route accepts [bytes] (``Settings.max_upload_mb``)."""
    return int(settings.max_upload_mb * 1e6)


def too_large(max_bytes: int) -> HTTPException:
    limit = f"{max_bytes:,}"
    return HTTPException(
        status.HTTP_413_CONTENT_TOO_LARGE,
        detail=_(
            "The file is larger than the upload limit of %(n)s bytes (%(mb)s MB); nothing was stored.",
            n=limit,
            mb=round(max_bytes / 1e6, 1),
        ),
    )


class UploadTooLarge(Exception):
    """The streamed body passed the cap (raised inside the multipart parser, answered with 413)."""


class _CappedParser(MultiPartParser):
    """Starlette's streaming multipart parser, counting the bytes of the file parts as they arrive."""

    def __init__(self, headers: Headers, stream: AsyncGenerator[bytes, None], *, max_file_bytes: int, **kw: Any):
        super().__init__(headers, stream, **kw)
        self.max_file_bytes = max_file_bytes
        self.file_bytes = 0

    def on_part_data(self, data: bytes, start: int, end: int) -> None:
        if self._current_part.file is not None:
            self.file_bytes += end - start
            if self.file_bytes > self.max_file_bytes:  # before this chunk is written anywhere
                raise UploadTooLarge
        super().on_part_data(data, start, end)


async def _counted(stream: AsyncIterator[bytes], limit: int) -> AsyncGenerator[bytes, None]:
    total = 0
    async for chunk in stream:
        total += len(chunk)
        if total > limit:
            raise UploadTooLarge
        yield chunk


class CappedRequest(Request):
    """A request whose multipart form is read under the upload cap, after the route's gate."""

    gate: Callable[[Request], object] | None = None

    async def _get_form(
        self, *, max_files: int | float = 1000, max_fields: int | float = 1000, max_part_size: int = 1024 * 1024
    ) -> FormData:
        ctype = self.headers.get("content-type", "")
        if self._form is None and ctype.lower().startswith("multipart/form-data"):
            self._form = await self._capped_form(min(max_files, 10), min(max_fields, 100))
        return await super()._get_form(max_files=max_files, max_fields=max_fields, max_part_size=max_part_size)

    async def _capped_form(self, max_files: int | float, max_fields: int | float) -> FormData:
        cap = upload_cap(self.app.state.settings)
        if self.gate is not None:
            self.gate(self)  # who may send a file at all: refused before a byte is read
        declared = self.headers.get("content-length", "")
        if declared.isdigit() and int(declared) > cap + ENVELOPE:
            raise too_large(cap)
        try:
            async with aclosing(self.stream()) as raw, aclosing(_counted(raw, cap + ENVELOPE)) as stream:
                parser = _CappedParser(
                    self.headers,
                    stream,
                    max_file_bytes=cap,
                    max_files=max_files,
                    max_fields=max_fields,
                    max_part_size=ENVELOPE,
                )
                return await parser.parse()  # on any error it closes (deletes) what it spooled
        except UploadTooLarge:
            raise too_large(cap) from None
        except MultiPartException as exc:
            raise HTTPException(status.HTTP_400_BAD_REQUEST, detail=exc.message) from None


def capped_upload_route(gate: Callable[[Request], object]) -> type[APIRoute]:
    """A route class whose multipart bodies are streamed under the upload cap, ``gate(request)`` first.

    ``gate`` raises (401/403) for a caller who may not send files; it runs before the body is read.
    """

    class CappedUploadRoute(APIRoute):
        def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
            handler = super().get_route_handler()

            async def capped(request: Request) -> Response:
                req = CappedRequest(request.scope, request.receive)
                req.gate = gate
                try:
                    return await handler(req)
                except HTTPException as exc:
                    if exc.status_code != status.HTTP_413_CONTENT_TOO_LARGE:
                        raise
                    # answered as the app answers errors, then the connection closed: the server does not
                    # drain the rest of the body
                    handlers = request.app.exception_handlers
                    answer = next(handlers[t] for t in type(exc).__mro__ if t in handlers)
                    response = await answer(req, exc)
                    response.headers["Connection"] = "close"
                    return response  # type: ignore[no-any-return]

            return capped

    return CappedUploadRoute


def unpack_upload(source: Source, clean: str, root: Path, max_bytes: int) -> Path:
    """The uploaded file copied in chunks under folder ``root`` (a zip of CSV files unpacked as a folder of
    them); the path to read.  Over ``max_bytes``: :class:`FileFormatError`."""
    saved = root / (".upload.zip" if clean.lower().endswith(".zip") else clean)
    if isinstance(source, bytes):
        if len(source) > max_bytes:
            raise FileFormatError(_("The file is larger than %(mb)s MB.", mb=round(max_bytes / 1e6)))
        saved.write_bytes(source)
    else:
        source.seek(0)
        written = 0
        with saved.open("wb") as out:
            while chunk := source.read(CHUNK):
                written += len(chunk)
                if written > max_bytes:
                    raise FileFormatError(_("The file is larger than %(mb)s MB.", mb=round(max_bytes / 1e6)))
                out.write(chunk)
    if not clean.lower().endswith(".zip"):
        return saved
    target = root / Path(clean).stem
    target.mkdir()
    try:
        unzip_csvs(saved, target, clean, max_bytes)
    finally:
        saved.unlink()
    return target


def safe_filename(filename: str) -> str:
    """A plain file name (no folders, no odd characters) keeping the suffix."""
    base = PurePosixPath(filename.replace("\\", "/")).name or "upload"
    stem, dot, suffix = base.rpartition(".")
    if not dot:
        stem, suffix = base, ""
    stem = _SAFE.sub("_", stem).strip("._") or "upload"
    return f"{stem[:80]}.{suffix.lower()}" if suffix else stem[:80]


def read_upload(content: Source, filename: str, *, name: str, max_bytes: int) -> Dataset:
    """Validate an uploaded file (its bytes or a binary file object) and return its dataset.

    Raises
    ------
    FileFormatError
        Unknown type, too large, or unreadable.
    ValidationError
        Problems in the data; each names the uploaded file, sheet, row and column.
    """
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
        target = unpack_upload(content, clean, root, max_bytes)
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
    return dataclasses.replace(p, file=file)


def unzip_csvs(content: bytes | Path, target: Path, label: str, max_bytes: int) -> None:
    """The CSV files of an uploaded zip (its bytes or where it was saved) written into folder ``target``
    (sizes checked as declared and as read)."""
    import io

    try:
        zf = zipfile.ZipFile(io.BytesIO(content) if isinstance(content, bytes) else content)
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
