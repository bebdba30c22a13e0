"""Benchmark the staging layer on DuckDB at scale: N people generated, loaded raw, staging built.

    .venv/bin/python benchmarks/staging_build.py                       # 1,000,000 people in a temp dir
    .venv/bin/python benchmarks/staging_build.py --people 100000 --workdir /tmp/bench --keep
    .venv/bin/python benchmarks/staging_build.py --workdir /tmp/bench --reuse   # skip generation and load

Prints the time and peak memory of each phase: generation (this process), loading the raw tables into
DuckDB, building the staging models (tables) and running their data tests (dbt, a child process; its peak
RSS comes from RUSAGE_CHILDREN, the largest child so far).
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

PROJECT_DIR = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(PROJECT_DIR))

from activation.datagen import load_into_duckdb, make_config, write_dataset  # noqa: E402


def peak_rss_mb(who: int) -> float:
    return resource.getrusage(who).ru_maxrss / 1024


def run_dbt(args: list[str], workdir: Path, database: Path) -> float:
    env = dict(os.environ)
    env.update(
        DBT_PROFILES_DIR=str(PROJECT_DIR),
        DBT_TARGET_PATH=str(workdir / "target"),
        DBT_LOG_PATH=str(workdir / "logs"),
        CDP_DUCKDB_PATH=str(database),
        CDP_THREADS="2",
    )
    variables = json.dumps({"cdp_raw_schema": "raw", "cdp_load_sample_data": False})
    command = [str(Path(sys.executable).parent / "dbt"), *args, "--target", "duckdb", "--vars", variables]
    started = time.perf_counter()
    completed = subprocess.run(command, cwd=PROJECT_DIR, env=env, capture_output=True, text=True)
    seconds = time.perf_counter() - started
    if completed.returncode != 0:
        sys.exit(f"dbt {' '.join(args)} failed:\n{completed.stdout[-10000:]}")
    return seconds


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--people", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--workdir", type=Path, default=None, help="where data and the DuckDB file go")
    parser.add_argument("--reuse", action="store_true", help="reuse the raw DuckDB file already in --workdir")
    parser.add_argument("--keep", action="store_true", help="keep the work directory")
    args = parser.parse_args(argv)

    workdir = args.workdir or Path(tempfile.mkdtemp(prefix="cdp_staging_bench_"))
    workdir.mkdir(parents=True, exist_ok=True)
    database = workdir / "cdp.duckdb"
    print(f"work directory: {workdir}")

    if not args.reuse:
        database.unlink(missing_ok=True)
        started = time.perf_counter()
        report = write_dataset(workdir / "raw", make_config(args.people, args.seed), fmt="parquet")
        print(
            f"generate {args.people:,} people: {time.perf_counter() - started:.1f} s, "
            f"peak RSS {peak_rss_mb(resource.RUSAGE_SELF):,.0f} MB"
        )
        print(report.summary())
        started = time.perf_counter()
        counts = load_into_duckdb(workdir / "raw", database, "raw")
        loaded = sum(counts.values())
        print(f"load raw tables into DuckDB: {loaded:,} rows in {time.perf_counter() - started:.1f} s")

    models_seconds = run_dbt(["run", "--select", "path:models/staging"], workdir, database)
    print(
        f"dbt run (staging models as tables): {models_seconds:.1f} s, "
        f"peak RSS {peak_rss_mb(resource.RUSAGE_CHILDREN):,.0f} MB"
    )
    tests_seconds = run_dbt(
        [
            "test",
            "--select",
            "path:models/staging",
            "--exclude",
            "test_type:unit",
            # Only the staging models' own tests: eager selection adds the marts' tests that read staging too.
            "--indirect-selection",
            "cautious",
        ],
        workdir,
        database,
    )
    print(
        f"dbt test (staging data tests): {tests_seconds:.1f} s, "
        f"peak RSS {peak_rss_mb(resource.RUSAGE_CHILDREN):,.0f} MB"
    )

    import duckdb

    with duckdb.connect(str(database), read_only=True) as connection:
        rows = connection.execute(
            "select table_name, estimated_size from duckdb_tables() "
            "where schema_name = 'main_staging' order by table_name"
        ).fetchall()
        total = 0
        for table, _ in rows:
            (count,) = connection.execute(f"select count(*) from main_staging.{table}").fetchone()
            total += count
            print(f"  {table:<34} {count:>12,} rows")
        print(f"  {'all staging tables':<34} {total:>12,} rows")
    print(f"staging build total (run + test): {models_seconds + tests_seconds:.1f} s")

    if args.workdir is None and not args.keep:
        shutil.rmtree(workdir)
    return 0


if __name__ == "__main__":
    sys.exit(main())
