"""Analyses as background jobs: an in-process worker on the jobs table.

A job is a row of the ``jobs`` table (:mod:`importsub.store.accounts`):
kind, parameters, the hash of (kind, dataset fingerprint, parameters),
status ``queued → running → done | failed``, progress and the stored
result.  Submitting the same request on the same data returns the stored
job instead of computing again, and makes the submitter one of the job's
requesters (who may see it: :func:`importsub.store.accounts.job_visible`).  When the server starts, jobs left
``running`` by a stopped server are marked failed with the reason, and
``queued`` jobs are picked up again.

The kinds a runner can run are those of the app's
:class:`~importsub.web.services.analyses.Analyses`.  The worker is a
thread here; the Dask machinery can take jobs from the same table later.
"""

from __future__ import annotations

import logging
import threading
import time
import traceback
from collections.abc import Callable

from pydantic import BaseModel
from sqlalchemy.engine import Engine

from importsub.model.dataset import Dataset
from importsub.model.errors import ImportsubError
from importsub.store import accounts, write_transaction
from importsub.web.services.analyses import Analyses
from importsub.web.services.results import result_to_json

log = logging.getLogger("importsub.web.jobs")


class JobRunner:
    """Submits jobs and runs them on a worker thread.

    Parameters
    ----------
    engine : Engine
        The store's engine (jobs table).
    load : callable
        ``load(dataset_name, version) -> Dataset``: the full (unmasked) dataset.
    analyses : Analyses
        The kinds of analysis the worker runs.
    poll_seconds : float
        How often an idle worker looks for queued jobs [s].
    """

    def __init__(
        self,
        engine: Engine,
        load: Callable[[str, int | None], Dataset],
        analyses: Analyses,
        poll_seconds: float = 0.5,
    ) -> None:
        self.engine = engine
        self.load = load
        self.analyses = analyses
        self.poll_seconds = poll_seconds
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    # -------------------------------------------------------- life cycle

    def recover(self) -> tuple[int, int]:
        """Fail jobs a stopped server left running; keep queued ones for the worker."""
        with write_transaction(self.engine) as conn:
            failed, queued = accounts.recover_jobs(conn)
        if failed or queued:
            log.warning("jobs after restart: %d running marked failed, %d queued resume", failed, queued)
        return failed, queued

    def start(self) -> None:
        if self._thread and self._thread.is_alive():
            return
        self._stop.clear()
        self._thread = threading.Thread(target=self._loop, name="importsub-jobs", daemon=True)
        self._thread.start()

    def stop(self, timeout: float = 10.0) -> None:
        self._stop.set()
        self._wake.set()
        if self._thread:
            self._thread.join(timeout)
            self._thread = None

    def _loop(self) -> None:
        while not self._stop.is_set():
            try:
                worked = self.run_next()
            except Exception:  # keep the worker alive whatever a job does
                log.exception("job worker error")
                worked = False
            if not worked:
                self._wake.wait(self.poll_seconds)
                self._wake.clear()

    # -------------------------------------------------------- API

    def submit(
        self,
        *,
        kind: str,
        dataset: str,
        version: int,
        fingerprint: str,
        params: BaseModel,
        user_id: int | None,
        organization: str | None = None,
    ) -> tuple[accounts.Job, bool]:
        """Queue a job, or return the stored one for the same inputs; (job, reused).

        Either way the user (of ``organization``) becomes one of the job's requesters.
        """
        doc = params.model_dump(mode="json")
        key = accounts.input_hash(kind=kind, fingerprint=fingerprint, params=doc)
        with write_transaction(self.engine) as conn:
            existing = accounts.find_job(conn, input_hash=key)
            if existing is not None:
                if user_id is not None:
                    accounts.add_requester(conn, job_id=existing.id, user_id=user_id, organization=organization)
                return existing, True
            job = accounts.create_job(
                conn, kind=kind, params=doc, input_hash=key, dataset=dataset, version=version, created_by=user_id
            )
            if user_id is not None:
                accounts.add_requester(conn, job_id=job.id, user_id=user_id, organization=organization)
        self._wake.set()
        return job, False

    def run_next(self) -> bool:
        """Claim and run one queued job in this thread; False if none was queued."""
        with write_transaction(self.engine) as conn:
            job = accounts.claim_next_job(conn)
        if job is None:
            return False
        self._run(job)
        return True

    def _run(self, job: accounts.Job) -> None:
        last = [0.0]

        def progress(fraction: float, message: str | None = None) -> None:
            t = time.monotonic()
            if t - last[0] < 0.25 and fraction < 1.0:
                return
            last[0] = t
            with self.engine.begin() as conn:
                accounts.set_job_progress(conn, job_id=job.id, progress=fraction, message=message)

        try:
            spec = self.analyses.get(job.kind)
            if spec is None:
                raise ImportsubError(f"unknown analysis kind {job.kind!r}")
            params = spec.params.model_validate(job.params)
            ds = self.load(job.dataset or "", job.version)
            result = spec.run(ds, params, progress)
            doc = result_to_json(result)
            doc["fingerprint"] = {
                "dataset": job.dataset,
                "version": job.version,
                **doc["fingerprint"],
                "params": job.params,
            }
        except ImportsubError as exc:
            with self.engine.begin() as conn:
                accounts.fail_job(conn, job_id=job.id, error=str(exc))
            return
        except Exception as exc:
            log.error("job %s failed:\n%s", job.id, traceback.format_exc())
            with self.engine.begin() as conn:
                accounts.fail_job(conn, job_id=job.id, error=f"{type(exc).__name__}: {exc}")
            return
        with self.engine.begin() as conn:
            accounts.finish_job(conn, job_id=job.id, result=doc)

    def wait(self, job_id: int, timeout: float = 30.0) -> accounts.Job:
        """Block until a job is done or failed (for tests and scripts)."""
        end = time.monotonic() + timeout
        while True:
            with self.engine.connect() as conn:
                job = accounts.get_job(conn, job_id=job_id)
            assert job is not None
            if job.status in ("done", "failed") or time.monotonic() > end:
                return job
            time.sleep(0.05)
