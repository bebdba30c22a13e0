"""Benchmark the data generator: N people to Parquet, wall time, rows per table, peak memory.

    .venv/bin/python benchmarks/generate_people.py                 # 1,000,000 people in a temp dir
    .venv/bin/python benchmarks/generate_people.py --people 200000 --out /tmp/cdp --keep
    .venv/bin/python benchmarks/generate_people.py --duckdb /tmp/cdp.duckdb   # also load raw tables

Peak RSS comes from ``resource.getrusage`` (the process's maximum resident set size).
"""

from __future__ import annotations

import argparse
import logging
import resource
import shutil
import sys
import tempfile
import time
from pathlib import Path

from activation.datagen import load_into_duckdb, make_config, write_dataset


def peak_rss_mb() -> float:
    """Maximum resident set size so far, in MB (ru_maxrss is in KiB on Linux, bytes on macOS)."""
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak / (1024 * 1024) if sys.platform == "darwin" else peak / 1024


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--people", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--chunk-size", type=int, default=100_000)
    parser.add_argument("--format", choices=("parquet", "csv"), default="parquet")
    parser.add_argument("--out", type=Path, default=None, help="output directory (default: a temp dir)")
    parser.add_argument("--keep", action="store_true", help="keep the temp output directory")
    parser.add_argument(
        "--duckdb", type=Path, default=None, help="also load the raw tables into this DuckDB file"
    )
    parser.add_argument("-v", "--verbose", action="store_true")
    args = parser.parse_args(argv)
    logging.basicConfig(
        level=logging.INFO if args.verbose else logging.WARNING, format="%(asctime)s %(message)s"
    )

    out = args.out or Path(tempfile.mkdtemp(prefix="cdp_datagen_"))
    config = make_config(args.people, args.seed, chunk_size=args.chunk_size)
    started = time.perf_counter()
    report = write_dataset(out, config, fmt=args.format)
    generated = time.perf_counter() - started
    print(report.summary())
    print(f"people: {args.people:,}  wall time: {generated:.1f} s  peak RSS: {peak_rss_mb():,.0f} MB")
    if args.duckdb is not None:
        started = time.perf_counter()
        counts = load_into_duckdb(out, args.duckdb, "raw")
        seconds = time.perf_counter() - started
        print(f"DuckDB load: {sum(counts.values()):,} rows in {seconds:.1f} s -> {args.duckdb}")
        print(f"peak RSS after load: {peak_rss_mb():,.0f} MB")
    if args.out is None and not args.keep:
        shutil.rmtree(out)
    else:
        print(f"output kept in {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
