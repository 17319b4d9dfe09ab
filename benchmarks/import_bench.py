"""Import speed: importsub vs a naive baseline, in the same process on the same data.

importsub: read a CSV folder with polars, validate it column-wise (types,
bounds, keys, references, shares, BOM cycles, value added) and write one
version in one transaction (SQLite: ADBC ingest; PostgreSQL: binary COPY,
primary keys built after a first load).

Baseline: pandas.read_csv, then one ORM object and one ``session.add`` per
row, one commit at the end (no validation at all), into SQLite, on a sample
of the supply links, scaled per row.

Wall-clock ratios swing more than 2x when other work shares the machine, so
every case also prints the CPU time of this process (all its threads:
``time.process_time``) and its ratio to the baseline's, with the load average
at the end of the case.  A PostgreSQL case adds the CPU time of the server
processes that served this store's connections (read from ``/proc``, so only
for a server on this machine; parallel index-build workers are not counted).

Run:  python benchmarks/import_bench.py [--sites 100000] [--sample 100000] [--pg] [--repeat 3]
      [--pg-url postgresql+psycopg://postgres@127.0.0.1:5432/test] [--schema bench_import]
Prints one summary line per case (per round with --repeat, then the medians).
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).parent))

from _measure import Measure

_TICK = os.sysconf("SC_CLK_TCK")


@dataclass
class Case:
    name: str
    rows: int
    wall: float
    cpu: float
    peak_mib: float
    load: float
    server_cpu: float | None = None
    note: str = ""

    def line(self, base: Case | None) -> str:
        rate = self.rows / self.wall
        text = (
            f"{self.name:<28} rows={self.rows:>9,} wall={self.wall:7.2f} s  cpu={self.cpu:7.2f} s  "
            f"rate={rate:>10,.0f} rows/s  "
        )
        if base is not None:
            wall_x = rate / (base.rows / base.wall)
            cpu_x = (self.rows / self.cpu) / (base.rows / base.cpu)
            text += f"per row vs baseline: wall {wall_x:5.1f}x cpu {cpu_x:5.1f}x  "
        if self.server_cpu is not None:
            text += f"server cpu={self.server_cpu:6.2f} s  "
        return text + f"peak={self.peak_mib:7.1f} MiB  load={self.load:5.2f}{self.note}"


def _measured(name: str, rows_of: Any) -> Case:
    """Run ``rows_of()`` (returns its row count) under :class:`Measure`, with this process's CPU time."""
    c0 = time.process_time()
    with Measure() as m:
        rows = rows_of()
    cpu = time.process_time() - c0
    return Case(name, rows, m.seconds, cpu, m.peak_mib, os.getloadavg()[0])


def baseline(folder: Path, db: Path, sample: int) -> Case:
    import pandas as pd
    from sqlalchemy import Boolean, Column, Float, Integer, String, create_engine
    from sqlalchemy.orm import DeclarativeBase, Session

    class Base(DeclarativeBase):
        pass

    class Link(Base):
        __tablename__ = "naive_links"
        id = Column(Integer, primary_key=True)
        buyer = Column(String)
        part = Column(String)
        supplier = Column(String)
        share = Column(Float)
        lead_time = Column(Float)
        qualified = Column(Boolean)
        source = Column(String)

    if db.exists():
        db.unlink()
    engine = create_engine(f"sqlite:///{db}")
    Base.metadata.create_all(engine)

    def run() -> int:
        df = pd.read_csv(folder / "supply_links.csv", nrows=sample)
        with Session(engine) as session:
            for row in df.itertuples(index=False):
                session.add(
                    Link(
                        buyer=row.buyer,
                        part=row.part,
                        supplier=row.supplier,
                        share=float(row.share),
                        lead_time=float(row.lead_time),
                        qualified=bool(row.qualified),
                        source=None if pd.isna(row.source) else row.source,
                    )
                )
            session.commit()
        return len(df)

    case = _measured("baseline pandas+ORM", run)
    engine.dispose()
    return case


class _ServerCpu:
    """CPU seconds of the PostgreSQL backends of an engine's connections (a server on this machine)."""

    def __init__(self, engine: Any) -> None:
        import sqlalchemy as sa

        self.start: dict[int, float] = {}
        self.ok = True

        @sa.event.listens_for(engine, "connect")
        def _connect(dbapi_conn: Any, _record: Any) -> None:
            pid = int(dbapi_conn.info.backend_pid)
            self.start.setdefault(pid, self._cpu(pid) or 0.0)

    def _cpu(self, pid: int) -> float | None:
        try:
            with open(f"/proc/{pid}/stat") as fh:
                fields = fh.read().rsplit(")", 1)[1].split()
        except OSError:
            self.ok = False  # not on this machine, or gone
            return None
        return (int(fields[11]) + int(fields[12])) / _TICK

    def mark(self) -> None:
        self.start = {pid: self._cpu(pid) or 0.0 for pid in self.start}

    def used(self) -> float | None:
        total = sum((self._cpu(pid) or 0.0) - start for pid, start in self.start.items())
        return total if self.ok else None


def importsub_case(label: str, folder: Path, db: str) -> Case:
    from importsub.io import read_path
    from importsub.store import Store

    store = Store(db)
    server = None
    if not store.is_sqlite:
        server = _ServerCpu(store.engine)
        store.engine.dispose()  # the connections opened by the migrations go: the import's are counted
    links = 0

    def run() -> int:
        nonlocal links
        ds = read_path(folder, name="synth")
        store.write_dataset(ds)
        counts = ds.counts()
        links = counts["supply_links"]
        return sum(counts.values())

    if server is not None:
        server.mark()
    case = _measured(label, run)
    if server is not None:
        case.server_cpu = server.used()
    store.close()
    case.note = f"  (supply links {links:,})"
    return case


def _pg_case(folder: Path, url: str, schema: str) -> Case:
    import sqlalchemy as sa

    eng = sa.create_engine(url)
    with eng.begin() as conn:
        conn.execute(sa.text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE; CREATE SCHEMA "{schema}"'))
    try:
        sep = "&" if "?" in url else "?"
        return importsub_case("importsub postgresql", folder, f"{url}{sep}options=-csearch_path%3D{schema}")
    finally:
        with eng.begin() as conn:
            conn.execute(sa.text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
        eng.dispose()


def _median(cases: list[Case]) -> Case:
    first = cases[0]
    return Case(
        f"median {first.name}",
        first.rows,
        statistics.median(c.wall for c in cases),
        statistics.median(c.cpu for c in cases),
        max(c.peak_mib for c in cases),
        statistics.median(c.load for c in cases),
        None if first.server_cpu is None else statistics.median(c.server_cpu or 0.0 for c in cases),
        first.note,
    )


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--sites", type=int, default=100_000, help="synthetic sites (100k gives about 1.2M supply links)")
    ap.add_argument("--sample", type=int, default=100_000, help="rows of the naive baseline")
    ap.add_argument("--pg", action="store_true", help="also import into PostgreSQL")
    ap.add_argument(
        "--pg-url",
        default=os.environ.get("IMPORTSUB_BENCH_PG", "postgresql+psycopg://postgres@127.0.0.1:5432/test"),
        help="PostgreSQL database (default: IMPORTSUB_BENCH_PG, else the local test database)",
    )
    ap.add_argument("--schema", default=f"bench_import_{os.getpid()}", help="PostgreSQL schema made and dropped")
    ap.add_argument("--repeat", type=int, default=1, help="rounds of every case (medians printed at the end)")
    ap.add_argument("--no-sqlite", action="store_true", help="leave the SQLite case out")
    args = ap.parse_args()

    from importsub.demo.synth import synth
    from importsub.io import write_path

    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "synth"
        ds = synth(args.sites, seed=1)
        write_path(ds, folder, "csv")
        del ds
        rounds: dict[str, list[Case]] = {}
        for _ in range(args.repeat):
            base = baseline(folder, Path(tmp) / "naive.sqlite", args.sample)
            print(base.line(None), flush=True)
            cases = [base]
            if not args.no_sqlite:
                store = Path(tmp) / "store.sqlite"
                for suffix in ("", "-wal", "-shm"):
                    Path(f"{store}{suffix}").unlink(missing_ok=True)
                cases.append(importsub_case("importsub sqlite", folder, str(store)))
                print(cases[-1].line(base), flush=True)
            if args.pg:
                cases.append(_pg_case(folder, args.pg_url, args.schema))
                print(cases[-1].line(base), flush=True)
            for c in cases:
                rounds.setdefault(c.name, []).append(c)
        if args.repeat > 1:
            medians = {name: _median(cs) for name, cs in rounds.items()}
            base_median = medians["baseline pandas+ORM"]
            for name, m in medians.items():
                print(m.line(None if name == "baseline pandas+ORM" else base_median))


if __name__ == "__main__":
    main()
