"""Import speed: importsub vs a naive baseline, in the same process on the same data.

importsub: read a CSV folder with polars, validate it column-wise (types,
bounds, keys, references, shares, BOM cycles, value added) and write one
version in one transaction (SQLite executemany / PostgreSQL COPY).

Baseline: pandas.read_csv, then one ORM object and one ``session.add`` per
row, one commit at the end (no validation at all), on a sample of the
supply links, scaled per row.

Run:  python benchmarks/import_bench.py [--sites 100000] [--sample 100000] [--pg]
Prints one summary line per case and the ratio per row.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

from _measure import Measure


def baseline(folder: Path, db: Path, sample: int) -> tuple[int, Measure]:
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

    engine = create_engine(f"sqlite:///{db}")
    Base.metadata.create_all(engine)
    with Measure() as m:
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
    engine.dispose()
    return len(df), m


def importsub_import(folder: Path, db: str) -> tuple[int, int, Measure]:
    from importsub.io import read_path
    from importsub.store import Store

    store = Store(db)
    with Measure() as m:
        ds = read_path(folder, name="synth")
        store.write_dataset(ds)
    store.close()
    counts = ds.counts()
    return sum(counts.values()), counts["supply_links"], m


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--sites", type=int, default=100_000, help="synthetic sites (100k gives about 1M supply links)")
    ap.add_argument("--sample", type=int, default=100_000, help="rows of the naive baseline")
    ap.add_argument("--pg", action="store_true", help="also import into PostgreSQL (schema bench_import)")
    args = ap.parse_args()

    from importsub.demo.synth import synth
    from importsub.io import write_path

    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "synth"
        ds = synth(args.sites, seed=1)
        write_path(ds, folder, "csv")
        del ds
        n_base, mb = baseline(folder, Path(tmp) / "naive.sqlite", args.sample)
        base_rate = n_base / mb.seconds
        print(
            f"baseline pandas+ORM   rows={n_base:>9,} time={mb.seconds:7.2f} s  rate={base_rate:>10,.0f} rows/s  peak={mb.peak_mib:7.1f} MiB"
        )
        total, links, m = importsub_import(folder, str(Path(tmp) / "store.sqlite"))
        rate = total / m.seconds
        print(
            f"importsub sqlite      rows={total:>9,} (supply links {links:,}) time={m.seconds:7.2f} s  rate={rate:>10,.0f} rows/s  "
            f"peak={m.peak_mib:7.1f} MiB  speed-up per row={rate / base_rate:6.1f}x"
        )
        if args.pg:
            import sqlalchemy as sa

            base = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
            eng = sa.create_engine(base)
            with eng.begin() as conn:
                conn.execute(sa.text("DROP SCHEMA IF EXISTS bench_import CASCADE; CREATE SCHEMA bench_import"))
            try:
                total, links, m = importsub_import(folder, f"{base}?options=-csearch_path%3Dbench_import")
                rate = total / m.seconds
                print(
                    f"importsub postgresql  rows={total:>9,} (supply links {links:,}) time={m.seconds:7.2f} s  rate={rate:>10,.0f} rows/s  "
                    f"peak={m.peak_mib:7.1f} MiB  speed-up per row={rate / base_rate:6.1f}x"
                )
            finally:
                with eng.begin() as conn:
                    conn.execute(sa.text("DROP SCHEMA IF EXISTS bench_import CASCADE"))
                eng.dispose()


if __name__ == "__main__":
    main()
