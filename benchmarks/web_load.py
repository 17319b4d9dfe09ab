"""Load test of the web service: 50 concurrent clients on loopback, for a bounded time per case.

Starts ``uvicorn --factory importsub.web:create_app`` in a subprocess on a
temporary SQLite store holding the demo dataset (or a synthetic one), signs
in an admin by API token, then drives each case — the overview page and the
main API routes — from N concurrent asyncio clients (httpx) for the given
number of seconds.  Prints one summary line per case: requests, requests/s,
p50/p95/p99 latency, errors and the ratio of the case's p95 to the p95 of a
bare FastAPI app serving a small JSON list (``_bare_app.py``), driven by the same
load generator with the same worker count in the same run (the baseline, first
line); exits non-zero when any request failed.  The machine's load average is
printed first: other work on the machine moves every figure.

    python benchmarks/web_load.py [--clients 50] [--seconds 10] [--workers CORES]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx


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


async def _drive(
    client: httpx.AsyncClient, url: str, headers: dict[str, str], clients: int, seconds: float
) -> tuple[list[float], int, int]:
    latencies: list[float] = []
    errors = 0
    end = time.perf_counter() + seconds

    async def one() -> None:
        nonlocal errors
        while time.perf_counter() < end:
            t0 = time.perf_counter()
            try:
                r = await client.get(url, headers=headers)
                ok = r.status_code == 200
            except httpx.HTTPError:
                ok = False
            latencies.append(time.perf_counter() - t0)
            if not ok:
                errors += 1

    await asyncio.gather(*(one() for _ in range(clients)))
    return latencies, errors, len(latencies)


def _pct(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    return statistics.quantiles(values, n=100, method="inclusive")[int(q) - 1] if len(values) > 1 else values[0]


async def run_cases(
    base: str, cases: list[tuple[str, str, dict[str, str]]], clients: int, seconds: float, baseline: float | None
) -> tuple[int, float]:
    """Drive each case; returns (failed requests, p95 of the last case [s])."""
    limits = httpx.Limits(max_connections=clients, max_keepalive_connections=clients)
    failures = 0
    p95 = float("nan")
    async with httpx.AsyncClient(base_url=base, limits=limits, timeout=30.0) as client:
        for name, url, headers in cases:
            # warm-up: caches filled, connections open
            await _drive(client, url, headers, min(clients, 4), 0.5)
            t0 = time.perf_counter()
            latencies, errors, n = await _drive(client, url, headers, clients, seconds)
            elapsed = time.perf_counter() - t0
            failures += errors
            p95 = _pct(latencies, 95)
            ratio = f"{p95 / baseline:6.2f}x bare" if baseline else "  baseline"
            print(
                f"{name:<28} clients={clients} requests={n:>6} rate={n / elapsed:8.1f} req/s "
                f"p50={1000 * _pct(latencies, 50):7.1f} ms p95={1000 * p95:7.1f} ms "
                f"p99={1000 * _pct(latencies, 99):7.1f} ms errors={errors} p95/bare={ratio}",
                flush=True,
            )
    return failures, p95


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
        _, p95 = asyncio.run(run_cases(base, [("bare FastAPI JSON list", "/items", {})], clients, seconds, None))
    finally:
        _stop(server)
    return p95


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--clients", type=int, default=50)
    ap.add_argument("--seconds", type=float, default=10.0, help="duration of each case [s]")
    ap.add_argument(
        "--workers", type=int, default=os.cpu_count() or 1, help="uvicorn worker processes (default: one per core)"
    )
    args = ap.parse_args()

    tmp = Path(tempfile.mkdtemp(prefix="importsub-load-"))
    db = str(tmp / "load.sqlite")
    name, tokens = prepare(db)
    admin_token, analyst_token = tokens.split()
    load = os.getloadavg() if hasattr(os, "getloadavg") else (float("nan"),) * 3
    print(f"machine: {os.cpu_count()} core(s), load average {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}", flush=True)
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
        # one stored analysis result to read back
        job = httpx.post(f"{base}/api/analyses/summary?dataset={name}", json={}, headers=admin, timeout=30).json()
        print(
            f"dataset {name}: {args.clients} clients, {args.seconds:g} s per case, {args.workers} worker(s); store {db}",
            flush=True,
        )
        cases = [
            ("overview page (analyst)", f"/?dataset={name}", analyst),
            ("GET /api/datasets", "/api/datasets", analyst),
            ("GET records supply_links", f"/api/datasets/{name}/records/supply_links?limit=100", analyst),
            ("GET records search", f"/api/datasets/{name}/records/parts?q=lamp&limit=50", analyst),
            ("GET scenarios", f"/api/datasets/{name}/scenarios", analyst),
            ("GET projects", f"/api/datasets/{name}/projects", analyst),
            ("GET job status", f"/api/jobs/{job['id']}", analyst),
        ]
        shocks = [j for j in httpx.get(f"{base}/api/jobs?status=done", headers=admin).json() if j["kind"] == "shock"]
        if shocks:  # a stored shock result, masked for the analyst on every read
            cases += [
                ("GET shock result (analyst)", f"/api/jobs/{shocks[0]['id']}/result", analyst),
                ("shock result page (analyst)", f"/jobs/{shocks[0]['id']}", analyst),
            ]
        failures, _ = asyncio.run(run_cases(base, cases, args.clients, args.seconds, baseline))
    finally:
        _stop(server)
    if failures:
        print(f"{failures} request(s) failed", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
