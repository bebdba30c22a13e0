"""Benchmark identity resolution on DuckDB against the truth, side by side with Splink.

    .venv/bin/python benchmarks/identity_build.py --people 155000          # ~1M person-linked source records
    .venv/bin/python benchmarks/identity_build.py --people 1550000         # ~10M
    .venv/bin/python benchmarks/identity_build.py --workdir /tmp/idb --reuse --splink none

Generates N people (about 6.5 person-linked source records each: contacts, accounts, cards, orders,
receipts, tickets, web visitors, consent decisions), loads them into DuckDB, then builds staging, identity
(identifier graph, matching, clustering, stable ids) and golden record in one `dbt run`, as a user would,
and the quality report in a second one. Prints the wall time of the whole run and of each stage (from the end
of the previous stage to its last model's end, from dbt's run_results.json), the span of the matching models
(the work Splink does), the time of every identity model, the peak RSS of dbt, and pairwise precision /
recall / F1 from identity_resolution_quality. Then runs Splink
(benchmarks/splink_baseline.py, if installed) on the same profile records and prints both side by side,
scored the same way (benchmarks/identity_metrics.py).
"""

from __future__ import annotations

import argparse
import json
import resource
import sys
import tempfile
import time
from datetime import datetime
from pathlib import Path

BENCHMARKS_DIR = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCHMARKS_DIR))
sys.path.insert(0, str(BENCHMARKS_DIR.parent))

from staging_build import peak_rss_mb, run_dbt  # noqa: E402

from activation.datagen import load_into_duckdb, make_config, write_dataset  # noqa: E402

# The golden record's models; staging models are told by their path, and the rest of the run is identity.
GOLDEN_RECORD_MODELS = ("int_customer_attribute_candidates", "int_customers_golden")
# The identity models that do what Splink does (probabilistic matching of profile records, then clustering the
# matches): timed together, beside Splink's total, on the same records.
MATCHING_MODELS = (
    "int_identity_profiles",
    "int_identity_u_probabilities",
    "int_identity_pairs_compared",
    "int_identity_comparison_patterns",
    "int_identity_match_weights",
    "int_identity_pairs_scored",
    "int_identity_match_clusters",
)
BUILD_SELECTION = ["path:models/staging", "path:models/intermediate/identity"]


def stage_of(node: dict) -> str:
    if node["original_file_path"].startswith("models/staging/"):
        return "staging"
    return "golden record" if node["name"] in GOLDEN_RECORD_MODELS else "identity"


def run_timings(workdir: Path) -> tuple[dict[str, tuple[float, float]], list[tuple[str, str, float]]]:
    """Per stage (and for the matching models, as "matching"), when its first model started and its last model
    finished (seconds since the run's first model started), and (stage, model, seconds) per model, from the
    last run."""
    manifest = json.loads((workdir / "target" / "manifest.json").read_text())["nodes"]
    results = json.loads((workdir / "target" / "run_results.json").read_text())["results"]
    spans: dict[str, list[datetime]] = {}
    models = []
    for result in results:
        node = manifest.get(result["unique_id"])
        if node is None or not result["timing"]:
            continue  # on-run-start hooks
        stage = stage_of(node)
        started = min(datetime.fromisoformat(step["started_at"].rstrip("Z")) for step in result["timing"])
        ended = max(datetime.fromisoformat(step["completed_at"].rstrip("Z")) for step in result["timing"])
        for group in (stage, "matching") if node["name"] in MATCHING_MODELS else (stage,):
            span = spans.setdefault(group, [started, ended])
            span[0], span[1] = min(span[0], started), max(span[1], ended)
        models.append((stage, node["name"], result["execution_time"]))
    origin = min(start for start, _end in spans.values())
    return {
        stage: ((start - origin).total_seconds(), (end - origin).total_seconds())
        for stage, (start, end) in spans.items()
    }, models


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
    seconds = run_dbt(["run", "--select", *BUILD_SELECTION], workdir, database)
    stages, models = run_timings(workdir)
    print(
        f"staging + identity + golden record, one dbt run: {seconds:.1f} s "
        f"(dbt's start-up included), peak RSS {peak_rss_mb(resource.RUSAGE_CHILDREN):,.0f} MB"
    )
    # Models of a stage start while the previous stage's last models still run (dbt's threads): each stage
    # is timed from the previous one's end, so the three add up to the run.
    previous_end = 0.0
    for stage in ("staging", "identity", "golden record"):
        start, end = stages.get(stage, (previous_end, previous_end))
        print(
            f"    {stage:<15} {end - previous_end:8.1f} s   "
            f"(its models ran from {start:.1f} s to {end:.1f} s of the run)"
        )
        previous_end = end
    if "matching" in stages:
        start, end = stages["matching"]
        print(f"    of which matching profile records (what Splink does): {end - start:.1f} s")
    print("    identity models:")
    for stage, model, model_seconds in models:
        if stage == "identity":
            print(f"        {model:<40} {model_seconds:8.1f} s")
    seconds = run_dbt(["run", "--select", "identity_resolution_quality"], workdir, database)
    print(f"quality report  {seconds:8.1f} s (a dbt run of its own)")

    scores = our_scores(database)
    for scope, values in scores.items():
        print(
            f"ours  {scope:<22} records {values['records']:>10,}  precision {values['precision']:.4f}  "
            f"recall {values['recall']:.4f}  F1 {values['f1']:.4f}"
        )

    if args.splink != "none":
        from splink_baseline import run_splink

        for settings in ["fast", "textbook"] if args.splink == "both" else [args.splink]:
            try:
                result = run_splink(database, "main_staging", "raw", settings)
            except ImportError as error:  # Splink is an optional benchmark extra
                print(f"Splink baseline skipped: {error}")
                return 0
            print(f"splink {settings}: {json.dumps(result, default=str)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
