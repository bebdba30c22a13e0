"""Benchmark identity resolution on DuckDB against the truth, side by side with Splink.

    .venv/bin/python benchmarks/identity_build.py --people 155000          # ~1M person-linked source records
    .venv/bin/python benchmarks/identity_build.py --people 1550000         # ~10M
    .venv/bin/python benchmarks/identity_build.py --workdir /tmp/idb --reuse --splink none

Generates N people (about 6.5 person-linked source records each: contacts, accounts, cards, orders,
receipts, tickets, web visitors, consent decisions), loads them into DuckDB, then times each stage with dbt:
staging, identity (identifier graph, matching, clustering, stable ids), golden record, and the quality
report; prints the time of every identity model, the peak RSS of dbt, and pairwise precision / recall / F1
from identity_resolution_quality. Then runs Splink (benchmarks/splink_baseline.py, if installed) on the
same profile records and prints both side by side, scored the same way (benchmarks/identity_metrics.py).
"""

from __future__ import annotations

import argparse
import json
import resource
import sys
import tempfile
import time
from pathlib import Path

BENCHMARKS_DIR = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCHMARKS_DIR))
sys.path.insert(0, str(BENCHMARKS_DIR.parent))

from staging_build import peak_rss_mb, run_dbt  # noqa: E402

from activation.datagen import load_into_duckdb, make_config, write_dataset  # noqa: E402

#: (stage, dbt --select, dbt --exclude)
STAGES = [
    ("staging", ["path:models/staging"], []),
    # The identity layer's own models; what reads them (Customer 360, predictions) is not timed here.
    (
        "identity",
        ["path:models/intermediate/identity"],
        ["int_customer_attribute_candidates", "int_customers_golden"],
    ),
    ("golden record", ["int_customer_attribute_candidates", "int_customers_golden"], []),
    ("quality report", ["identity_resolution_quality"], []),
]


def model_timings(workdir: Path) -> list[tuple[str, float]]:
    results = json.loads((workdir / "target" / "run_results.json").read_text())
    return [(result["unique_id"].split(".")[-1], result["execution_time"]) for result in results["results"]]


def our_scores(database: Path) -> dict[str, dict[str, float]]:
    import duckdb

    with duckdb.connect(str(database), read_only=True) as connection:
        rows = connection.execute(
            "select scope, record_count, pairwise_precision, pairwise_recall, pairwise_f1 "
            "from main_marts.identity_resolution_quality where left_source = 'all' order by scope"
        ).fetchall()
    return {
        scope: {"records": records, "precision": precision, "recall": recall, "f1": f1}
        for scope, records, precision, recall, f1 in rows
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--people", type=int, default=155_000)
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--workdir", type=Path, default=None)
    parser.add_argument("--reuse", action="store_true", help="reuse the raw data already loaded in --workdir")
    parser.add_argument("--splink", choices=["fast", "textbook", "both", "none"], default="fast")
    args = parser.parse_args(argv)

    workdir = args.workdir or Path(tempfile.mkdtemp(prefix="cdp_identity_bench_"))
    workdir.mkdir(parents=True, exist_ok=True)
    database = workdir / "cdp.duckdb"
    print(f"work directory: {workdir}")
    if not args.reuse:
        database.unlink(missing_ok=True)
        started = time.perf_counter()
        write_dataset(workdir / "raw", make_config(args.people, args.seed), fmt="parquet")
        counts = load_into_duckdb(workdir / "raw", database, "raw")
        print(
            f"generate + load {args.people:,} people: {time.perf_counter() - started:.1f} s, "
            f"{counts.get('truth_record_persons', 0):,} person-linked source records"
        )

    # Full refresh: a reused warehouse may hold the reference seeds in the shape of an older version.
    run_dbt(["seed", "--full-refresh"], workdir, database)
    total = 0.0
    for stage, selected, excluded in STAGES:
        exclusion = ["--exclude", *excluded] if excluded else []
        seconds = run_dbt(["run", "--select", *selected, *exclusion], workdir, database)
        total += seconds if stage != "staging" else 0
        print(
            f"{stage:<15} {seconds:8.1f} s   peak RSS so far {peak_rss_mb(resource.RUSAGE_CHILDREN):,.0f} MB"
        )
        if stage == "identity":
            for model, model_seconds in model_timings(workdir):
                print(f"    {model:<40} {model_seconds:8.1f} s")
    print(f"identity + golden record + report: {total:.1f} s")

    scores = our_scores(database)
    for scope, values in scores.items():
        print(
            f"ours  {scope:<22} records {values['records']:>10,}  precision {values['precision']:.4f}  "
            f"recall {values['recall']:.4f}  F1 {values['f1']:.4f}"
        )

    if args.splink != "none":
        try:
            from splink_baseline import run_splink
        except ImportError as error:
            print(f"Splink baseline skipped: {error}")
            return 0
        for settings in ["fast", "textbook"] if args.splink == "both" else [args.splink]:
            result = run_splink(database, "main_staging", "raw", settings)
            print(f"splink {settings}: {json.dumps(result, default=str)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
