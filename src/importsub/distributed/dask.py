"""Dask back end of :func:`importsub.distributed.map_chunks`.

Ctrl-C
------
A terminal's Ctrl-C sends SIGINT to the whole foreground process group: to
this process and to the worker processes of a local cluster.  The workers
are started with SIGINT ignored (an ignored signal stays ignored through
``exec``, and Python leaves an ignored SIGINT alone), so only this process
sees ``KeyboardInterrupt``.  It cancels the pending tasks, then closes the
client and the local cluster with Dask's logs silenced (the scheduler's
complaints about a client going away are no news) and with a second Ctrl-C
held back until the workers are gone, and re-raises.
"""

from __future__ import annotations

import contextlib
import logging
import signal
import threading
from collections.abc import Callable, Iterator, Sequence
from typing import Any

from importsub.model.errors import ImportsubError

Progress = Callable[[int, int], None]

#: loggers whose output would mix with ``--format json|csv`` output or report a shutdown we asked for
_LOGGERS = ("distributed", "asyncio", "tornado")


def map_chunks(
    fn: Callable[..., Any],
    tasks: Sequence[Any],
    *,
    shared: tuple[Any, ...] = (),
    extra: tuple[Any, ...] = (),
    scheduler: str | None = None,
    workers: int | None = None,
    progress: Progress | None = None,
    client: Any = None,
) -> list[Any]:
    """``[fn(*shared, task, *extra) for task in tasks]``, in process or on Dask.

    Parameters
    ----------
    fn : callable
        A module-level (picklable) function.
    tasks : sequence
        One item per call; results are returned in this order.
    shared : tuple
        Leading arguments common to every call (scattered once to the workers).
    extra : tuple
        Trailing arguments common to every call (small).
    scheduler : str, optional
        Address of an existing Dask scheduler (``tcp://host:8786``).
    workers : int, optional
        Without a scheduler: ``None``/``0``/``1`` runs in this process;
        ``≥ 2`` starts a ``LocalCluster`` of that many single-threaded
        worker processes for this call.
    progress : callable(done, total), optional
        Called after every finished task.
    client : distributed.Client, optional
        A client held open by the caller (:func:`dask_client`) for several calls: used instead of
        ``scheduler``/``workers``, and left open.

    Returns
    -------
    list
        ``fn``'s results in task order.

    Notes
    -----
    Ctrl-C (``KeyboardInterrupt``) cancels the pending tasks, closes the
    client and the local cluster (no worker process is left behind), and
    re-raises; see the module docstring.

    Examples
    --------
    >>> def shifted_squares(offset, task, power):
    ...     return [offset + x**power for x in task]
    >>> map_chunks(shifted_squares, [[1, 2], [3]], shared=(10,), extra=(2,))
    [[11, 14], [19]]
    """
    total = len(tasks)
    if client is None and scheduler is None and (workers is None or workers <= 1):
        out = []
        for k, task in enumerate(tasks):
            out.append(fn(*shared, task, *extra))
            if progress:
                progress(k + 1, total)
        return out
    if client is not None:
        return _on(client, fn, tasks, shared, extra, progress)
    with _client(scheduler, workers) as own:
        return _on(own, fn, tasks, shared, extra, progress)


def _on(
    client: Any,
    fn: Callable[..., Any],
    tasks: Sequence[Any],
    shared: tuple[Any, ...],
    extra: tuple[Any, ...],
    progress: Progress | None,
) -> list[Any]:
    """:func:`map_chunks` on ``client``: pending tasks cancelled on any error or Ctrl-C."""
    futures: list[Any] = []
    try:
        # a key of its own each call (hash=False): the same data scattered again by a later call on the
        # same client must not share a key the end of this call releases (its tasks lose their input)
        scattered = [client.scatter(s, broadcast=True, hash=False) for s in shared] if shared else []
        futures = [client.submit(fn, *scattered, task, *extra, pure=False) for task in tasks]
        from distributed import as_completed

        for done, _ in enumerate(as_completed(futures), start=1):
            if progress:
                progress(done, len(tasks))
        return list(client.gather(futures))
    except BaseException:
        if futures:
            with _quiet(), contextlib.suppress(Exception):
                client.cancel(futures)
        raise


@contextlib.contextmanager
def dask_client(scheduler: str | None, workers: int | None) -> Iterator[Any]:
    """A Dask client held open for a whole computation (e.g. the portfolio decomposition, whose
    workers keep state between rounds): an existing scheduler's, or a ``LocalCluster`` of
    ``workers`` single-threaded processes, closed (workers gone) when the block ends."""
    with _client(scheduler, workers) as client:
        yield client


@contextlib.contextmanager
def _quiet() -> Iterator[None]:
    """Dask's (and its event loop's) loggers silenced for the block, their levels restored after."""
    names = [
        name
        for name in list(logging.root.manager.loggerDict)
        if any(name == root or name.startswith(root + ".") for root in _LOGGERS)
    ]
    loggers = [logging.getLogger(name) for name in {*names, *_LOGGERS}]
    old = [lg.level for lg in loggers]
    for lg in loggers:
        lg.setLevel(logging.CRITICAL + 1)
    try:
        yield
    finally:
        for lg, level in zip(loggers, old, strict=True):
            lg.setLevel(level)


@contextlib.contextmanager
def _sigint(mode: str) -> Iterator[None]:
    """SIGINT ``ignored`` (child processes started in the block inherit it) or ``deferred`` (re-raised after).

    Only the main thread can change signal handlers; elsewhere (e.g. a web
    job's thread) the block runs unchanged.
    """
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    caught: list[int] = []

    def remember(signum: int, frame: Any) -> None:
        caught.append(signum)

    old = signal.signal(signal.SIGINT, signal.SIG_IGN if mode == "ignored" else remember)
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, old if old is not None else signal.default_int_handler)
    if caught:
        raise KeyboardInterrupt


@contextlib.contextmanager
def _client(scheduler: str | None, workers: int | None) -> Iterator[Any]:
    try:
        from distributed import Client, LocalCluster
    except ModuleNotFoundError as exc:  # pragma: no cover - dask is a dependency
        raise ImportsubError("Dask (dask[distributed]) is needed for --scheduler / --workers") from exc

    # worker and scheduler logs would mix with --format json|csv output: keep them on errors only
    for name in ("distributed", "distributed.scheduler", "distributed.worker", "distributed.nanny"):
        logging.getLogger(name).setLevel(logging.ERROR)
    cluster = None
    client = None
    try:
        if scheduler:
            try:
                client = Client(scheduler, timeout="10s")
            except OSError as exc:
                raise ImportsubError(f"cannot reach the Dask scheduler at {scheduler}: {exc}") from exc
        else:
            # the worker processes start with SIGINT ignored: Ctrl-C reaches this process only
            with _sigint("ignored"):
                cluster = LocalCluster(
                    n_workers=int(workers or 2),
                    threads_per_worker=1,
                    processes=True,
                    dashboard_address=":0",  # any free port: two clusters on one machine do not collide
                    # CRITICAL: a worker whose scheduler closes first logs its heartbeat's failure as an
                    # ERROR with a traceback, which a Ctrl-C's "interrupted" must not be mixed with; task
                    # errors reach the caller through their futures
                    silence_logs=logging.CRITICAL,
                )
            client = Client(cluster)
        yield client
    finally:
        # a second Ctrl-C waits until the workers are gone; a shutdown we asked for is not worth a log line
        with _sigint("deferred"), _quiet():
            if client is not None:
                with contextlib.suppress(Exception):
                    client.close()
            if cluster is not None:
                with contextlib.suppress(Exception):
                    cluster.close()
