"""Load test of the web service: 50 concurrent clients on loopback, for a bounded time per case.

Starts ``uvicorn --factory importsub.web:create_app`` in a subprocess on a
temporary SQLite store holding the demo dataset (or a synthetic one), with one
worker process per core unless told (``--workers``), then drives each case —
the main API routes, a conditional GET (``If-None-Match`` → 304), the overview,
dataset and shock result pages — from N closed-loop clients, each on its own
keep-alive connection (raw asyncio streams: a cheap load generator, so that
the clients do not starve the server on a small machine), for the given number
of seconds.

One summary line per case: requests, requests/s, p50/p95/p99 latency [ms],
errors, the server's CPU per request [ms] (all its processes; steadier than
latency on a loaded machine), the server's peak resident memory [MiB], the
ratio of the case's p95 to the p95 of a bare FastAPI app serving a small JSON
list (``_bare_app.py``; same load generator, same worker count, same run — the
first line) and whether the goal is met (p95 under 100 ms for API routes,
under 300 ms for pages).  The machine's load average is printed first and
last: other work on the machine moves every figure.  Exits non-zero when any
request failed.  Every loop is bounded in time and talks to 127.0.0.1 only.

    python benchmarks/web_load.py [--clients 50] [--seconds 10] [--workers CORES] [--only TEXT]

``IMPORTSUB_RESPONSE_CACHE=0`` in the environment measures the server without its kept answers
(every request runs its route; the ETag and 304 remain).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import psutil


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def prepare(db: str) -> tuple[str, str]:
    """Store with a dataset and an admin token; returns (dataset name, token)."""
    from importsub.store import Store, accounts

    try:
        from importsub.demo import load

        ds = load()
    except Exception:  # no demo in this installation: a synthetic network
        from importsub.demo.synth import synth  # type: ignore[attr-defined]

        ds = synth(sites=300, seed=1)
    store = Store(db)
    store.write_dataset(ds, created_by="bench")
    with store.engine.begin() as conn:
        user = accounts.create_user(conn, username="bench", password="Load-test pass 2026", role="admin")
        token, _ = accounts.create_api_token(conn, user_id=user.id, name="bench")
        analyst = accounts.create_user(
            conn, username="analyst", password="Load-test pass 2026", role="analyst", organization=None
        )
        analyst_token, _ = accounts.create_api_token(conn, user_id=analyst.id, name="bench")
    _store_shock(store, ds.name, user.id)
    store.engine.dispose()
    return ds.name, f"{token} {analyst_token}"


def _store_shock(store: object, name: str, user_id: int) -> None:
    """Compute one shock result before the server starts (its worker is off), for the result cases."""
    from importsub.web.services.catalogue import build_analyses
    from importsub.web.services.jobs import JobRunner

    analyses = build_analyses()
    spec = analyses.get("shock")
    if spec is None:
        return
    info = store.versions(name)[-1]  # type: ignore[attr-defined]
    scenarios = store.read_dataset(name).disruptions["scenario"].unique().sort().to_list()  # type: ignore[attr-defined]
    if not scenarios:
        return
    runner = JobRunner(store.engine, store.read_dataset, analyses)  # type: ignore[attr-defined]
    runner.submit(
        kind="shock",
        dataset=name,
        version=info.version,
        fingerprint=info.fingerprint,
        params=spec.params.model_validate({"scenario": scenarios[0]}),
        user_id=user_id,
    )
    runner.run_next()


class _Conn:
    """One keep-alive HTTP/1.1 connection on raw asyncio streams: a load generator much cheaper than an HTTP
    library's client (httpx spent about 3x the bare server's CPU per request), so that on a 2-core machine the
    clients do not starve the server they measure."""

    def __init__(self, host: str, port: int) -> None:
        self.host, self.port = host, port
        self.reader: asyncio.StreamReader | None = None
        self.writer: asyncio.StreamWriter | None = None

    async def get(self, request: bytes) -> tuple[int, bytes]:
        """(status, headers block) of one GET; the body is read and dropped."""
        if self.writer is None:
            self.reader, self.writer = await asyncio.open_connection(self.host, self.port)
        assert self.reader is not None
        try:
            self.writer.write(request)
            head = await self.reader.readuntil(b"\r\n\r\n")
            status = int(head[9:12])
            lower = head.lower()
            i = lower.find(b"content-length:")
            if i >= 0:
                await self.reader.readexactly(int(lower[i + 15 : lower.index(b"\r\n", i)]))
            elif b"transfer-encoding: chunked" in lower:
                while True:
                    size = int((await self.reader.readuntil(b"\r\n")).split(b";")[0], 16)
                    await self.reader.readexactly(size + 2)
                    if size == 0:
                        break
            if b"connection: close" in lower:
                await self.close()
            return status, head
        except (OSError, asyncio.IncompleteReadError, asyncio.LimitOverrunError, ValueError):
            await self.close()
            raise

    async def close(self) -> None:
        if self.writer is not None:
            self.writer.close()
            with contextlib.suppress(OSError):
                await self.writer.wait_closed()
        self.reader = self.writer = None


def _request(host: str, port: int, url: str, headers: dict[str, str]) -> bytes:
    lines = [f"GET {url} HTTP/1.1", f"Host: {host}:{port}", "Accept: */*", *(f"{k}: {v}" for k, v in headers.items())]
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1")


async def _drive(
    base: str, url: str, headers: dict[str, str], clients: int, seconds: float, expect: int = 200
) -> tuple[list[float], int]:
    """``clients`` closed-loop clients, each on its own connection, for ``seconds``: (latencies [s], errors)."""
    host, port = base.removeprefix("http://").rsplit(":", 1)
    request = _request(host, int(port), url, headers)
    latencies: list[float] = []
    errors = 0
    end = time.perf_counter() + seconds

    async def one() -> None:
        nonlocal errors
        conn = _Conn(host, int(port))
        try:
            while time.perf_counter() < end:
                t0 = time.perf_counter()
                try:
                    status, _ = await conn.get(request)
                    ok = status == expect
                except (OSError, asyncio.IncompleteReadError, asyncio.LimitOverrunError, ValueError):
                    ok = False
                latencies.append(time.perf_counter() - t0)
                if not ok:
                    errors += 1
        finally:
            await conn.close()

    await asyncio.gather(*(one() for _ in range(clients)))
    return latencies, errors


def _pct(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    return statistics.quantiles(values, n=100, method="inclusive")[int(q) - 1] if len(values) > 1 else values[0]


class _ServerUsage:
    """CPU seconds and peak resident memory of a server's processes (the uvicorn parent and its workers)."""

    def __init__(self, pid: int) -> None:
        self.root = psutil.Process(pid)
        self.peak = 0
        self._stop = threading.Event()

    def _procs(self) -> list[psutil.Process]:
        return [self.root, *self.root.children(recursive=True)]

    def cpu(self) -> float:
        total = 0.0
        for p in self._procs():
            with contextlib.suppress(psutil.Error):
                t = p.cpu_times()
                total += t.user + t.system
        return total

    def _sample(self) -> None:
        while not self._stop.is_set():
            rss = 0
            for p in self._procs():
                with contextlib.suppress(psutil.Error):
                    rss += p.memory_info().rss
            self.peak = max(self.peak, rss)
            self._stop.wait(0.05)

    def __enter__(self) -> _ServerUsage:
        self.peak = 0
        self._stop.clear()
        self._thread = threading.Thread(target=self._sample, daemon=True)
        self._thread.start()
        self._cpu0 = self.cpu()
        return self

    def __exit__(self, *exc: object) -> None:
        self.seconds = self.cpu() - self._cpu0
        self._stop.set()
        self._thread.join()


@dataclass
class Case:
    name: str
    url: str
    headers: dict[str, str] = field(default_factory=dict)
    expect: int = 200
    page: bool = False  # a page (goal p95 < 300 ms) rather than an API route (< 100 ms)


def run_cases(
    base: str, server_pid: int, cases: list[Case], clients: int, seconds: float, baseline: float | None
) -> tuple[int, dict[str, float]]:
    """Drive each case, print its summary line; returns (failed requests, p95 [s] by case)."""
    usage = _ServerUsage(server_pid)
    failures = 0
    p95s: dict[str, float] = {}
    for case in cases:
        asyncio.run(_drive(base, case.url, case.headers, min(clients, 4), 0.5, case.expect))  # warm-up: caches
        with usage:
            t0 = time.perf_counter()
            latencies, errors = asyncio.run(_drive(base, case.url, case.headers, clients, seconds, case.expect))
            elapsed = time.perf_counter() - t0
        n = len(latencies)
        failures += errors
        p95 = p95s[case.name] = _pct(latencies, 95)
        goal = 0.300 if case.page else 0.100
        ratio = f"{p95 / baseline:6.2f}x" if baseline else "baseline"
        verdict = "" if baseline is None else (" goal met" if p95 < goal else f" goal {1000 * goal:.0f} ms missed")
        print(
            f"{case.name:<34} n={n:>6} {n / elapsed:7.1f} req/s p50={1000 * _pct(latencies, 50):6.1f} ms "
            f"p95={1000 * p95:6.1f} ms p99={1000 * _pct(latencies, 99):6.1f} ms errors={errors} "
            f"server={1000 * usage.seconds / max(n, 1):5.2f} ms CPU/req peak={usage.peak / 2**20:5.0f} MiB "
            f"p95/bare={ratio}{verdict}",
            flush=True,
        )
    return failures, p95s


def _start(args: list[str], env: dict[str, str], probe: str) -> subprocess.Popen[bytes] | None:
    """A uvicorn server from ``args``, once ``probe`` answers (None if it did not start within 60 s)."""
    server = subprocess.Popen([sys.executable, "-m", "uvicorn", *args, "--log-level", "warning"], env=env)
    deadline = time.monotonic() + 60
    while True:
        try:
            if httpx.get(probe, timeout=1).status_code == 200:
                return server
        except httpx.HTTPError:
            pass
        if time.monotonic() > deadline or server.poll() is not None:
            _stop(server)
            return None
        time.sleep(0.2)


def _stop(server: subprocess.Popen[bytes]) -> None:
    server.terminate()
    try:
        server.wait(10)
    except subprocess.TimeoutExpired:
        server.kill()


def bare_p95(clients: int, seconds: float, workers: int) -> float | None:
    """p95 [s] of the bare app (``_bare_app.py``) under the same load, served the same way."""
    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    here = str(Path(__file__).resolve().parent)
    args = ["--app-dir", here, "_bare_app:app", "--host", "127.0.0.1", "--port", str(port), "--workers", str(workers)]
    server = _start(args, dict(os.environ), base + "/items")
    if server is None:
        print("bare app did not start", file=sys.stderr)
        return None
    try:
        _, p95s = run_cases(base, server.pid, [Case("bare FastAPI JSON list", "/items")], clients, seconds, None)
    finally:
        _stop(server)
    return p95s["bare FastAPI JSON list"]


def _cases(base: str, name: str, admin: dict[str, str], analyst: dict[str, str]) -> list[Case]:
    job = httpx.post(f"{base}/api/analyses/summary?dataset={name}", json={}, headers=admin, timeout=30).json()
    etag = httpx.get(f"{base}/api/datasets", headers=analyst).headers.get("etag")
    cases = [
        Case("GET /api/datasets", "/api/datasets", analyst),
        Case("GET records supply_links", f"/api/datasets/{name}/records/supply_links?limit=100", analyst),
        Case("GET records search", f"/api/datasets/{name}/records/parts?q=lamp&limit=50", analyst),
        Case("GET scenarios", f"/api/datasets/{name}/scenarios", analyst),
        Case("GET projects", f"/api/datasets/{name}/projects", analyst),
        Case("GET job status", f"/api/jobs/{job['id']}", analyst),
        Case("overview page (analyst)", f"/?dataset={name}", analyst, page=True),
        Case("dataset page (analyst)", f"/datasets/{name}", analyst, page=True),
    ]
    if etag:  # a client that keeps what it was sent asks again with If-None-Match
        cases.insert(
            1, Case("GET /api/datasets If-None-Match", "/api/datasets", {**analyst, "If-None-Match": etag}, 304)
        )
    shocks = [j for j in httpx.get(f"{base}/api/jobs?status=done", headers=admin).json() if j["kind"] == "shock"]
    if shocks:  # a stored shock result, masked for the analyst on every read
        cases += [
            Case("GET shock result (analyst)", f"/api/jobs/{shocks[0]['id']}/result", analyst),
            Case("shock result page (analyst)", f"/jobs/{shocks[0]['id']}", analyst, page=True),
        ]
    return cases


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--clients", type=int, default=50)
    ap.add_argument("--seconds", type=float, default=10.0, help="duration of each case [s]")
    ap.add_argument(
        "--workers", type=int, default=os.cpu_count() or 1, help="uvicorn worker processes (default: one per core)"
    )
    ap.add_argument("--only", default="", help="run only the cases whose name contains this text")
    args = ap.parse_args()

    tmp = Path(tempfile.mkdtemp(prefix="importsub-load-"))
    db = str(tmp / "load.sqlite")
    name, tokens = prepare(db)
    admin_token, analyst_token = tokens.split()
    load = os.getloadavg()
    print(
        f"machine: {os.cpu_count()} core(s), load average {load[0]:.2f} {load[1]:.2f} {load[2]:.2f} (1/5/15 min); "
        f"{args.workers} worker(s), {args.clients} clients, {args.seconds:g} s per case",
        flush=True,
    )
    baseline = bare_p95(args.clients, args.seconds, args.workers)
    port = _free_port()
    env = {**os.environ, "IMPORTSUB_DB": db, "IMPORTSUB_WORKER": "false"}
    base = f"http://127.0.0.1:{port}"
    serve = ["--factory", "importsub.web:create_app", "--host", "127.0.0.1", "--port", str(port)]
    server = _start([*serve, "--workers", str(args.workers)], env, base + "/login")
    if server is None:
        print("server did not start", file=sys.stderr)
        return 2
    try:
        admin = {"Authorization": f"Bearer {admin_token}"}
        analyst = {"Authorization": f"Bearer {analyst_token}"}
        print(f"dataset {name}; store {db}", flush=True)
        cases = [c for c in _cases(base, name, admin, analyst) if args.only in c.name]
        failures, _ = run_cases(base, server.pid, cases, args.clients, args.seconds, baseline)
    finally:
        _stop(server)
    load = os.getloadavg()
    print(f"machine load average at the end {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}", flush=True)
    if failures:
        print(f"{failures} request(s) failed", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
