"""Dask back end of :func:`importsub.distributed.map_chunks`."""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator, Sequence
from typing import Any

from importsub.model.errors import ImportsubError

Progress = Callable[[int, int], None]


def map_chunks(
    fn: Callable[..., Any],
    tasks: Sequence[Any],
    *,
    shared: tuple[Any, ...] = (),
    extra: tuple[Any, ...] = (),
    scheduler: str | None = None,
    workers: int | None = None,
    progress: Progress | None = None,
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

    Returns
    -------
    list
        ``fn``'s results in task order.

    Notes
    -----
    Ctrl-C (KeyboardInterrupt) cancels the pending tasks, closes the client
    and the local cluster, and re-raises.
    """
    total = len(tasks)
    if scheduler is None and (workers is None or workers <= 1):
        out = []
        for k, task in enumerate(tasks):
            out.append(fn(*shared, task, *extra))
            if progress:
                progress(k + 1, total)
        return out
    with _client(scheduler, workers) as client:
        futures: list[Any] = []
        try:
            scattered = [client.scatter(s, broadcast=True) for s in shared] if shared else []
            futures = [client.submit(fn, *scattered, task, *extra, pure=False) for task in tasks]
            from distributed import as_completed

            for done, _ in enumerate(as_completed(futures), start=1):
                if progress:
                    progress(done, total)
            return list(client.gather(futures))
        except BaseException:
            if futures:
                with contextlib.suppress(Exception):
                    client.cancel(futures)
            raise


@contextlib.contextmanager
def _client(scheduler: str | None, workers: int | None) -> Iterator[Any]:
    try:
        from distributed import Client, LocalCluster
    except ModuleNotFoundError as exc:  # pragma: no cover - dask is a dependency
        raise ImportsubError("Dask (dask[distributed]) is needed for --scheduler / --workers") from exc
    import logging

    # worker and scheduler logs would mix with --format json|csv output: keep them on warnings only
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
            cluster = LocalCluster(
                n_workers=int(workers or 2),
                threads_per_worker=1,
                processes=True,
                dashboard_address=None,
                silence_logs=logging.ERROR,
            )
            client = Client(cluster)
        yield client
    finally:
        if client is not None:
            with contextlib.suppress(Exception):
                client.close()
        if cluster is not None:
            with contextlib.suppress(Exception):
                cluster.close()
