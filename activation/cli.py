"""The `activation` command line: a thin layer over the package's functions.

activation demo [--target duckdb]    build the whole CDP on the committed sample data
activation generate ...              write synthetic raw data with ground truth (see --help)
activation sync|plan|status|destinations   reverse-ETL syncs (activation/syncs/cli.py)
"""

from __future__ import annotations

import argparse
import logging
import os
import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import duckdb

from activation import __version__
from activation.errors import ActivationError
from activation.project import TARGETS, find_project_dir, run_dbt
from activation.syncs.cli import register as register_sync_commands

logger = logging.getLogger(__name__)


def _print_duckdb_summary(project_dir: Path) -> None:
    """Row counts of the staging tables and the identity outcome: what the demo built, and where."""
    import duckdb

    database_path = Path(os.environ.get("CDP_DUCKDB_PATH", "cdp.duckdb"))
    if not database_path.is_absolute():
        database_path = project_dir / database_path
    # Not read_only: dbt's in-process DuckDB connection is still open, and DuckDB refuses a second
    # connection to the same file with a different configuration.
    with duckdb.connect(str(database_path)) as connection:
        views = connection.execute(
            "select table_schema, table_name from information_schema.tables "
            "where table_name like 'stg\\_%' escape '\\' order by table_name"
        ).fetchall()
        print(f"\nStaging layer in {database_path}:")
        for schema, name in views:
            (rows,) = connection.execute(f'select count(*) from "{schema}"."{name}"').fetchone()
            print(f"  {schema}.{name:<34} {rows:>9,} rows")
        _print_identity_summary(connection)
    example = "select * from main_marts.fct_identity_links limit 5"
    print(f'\nQuery it with SQL, e.g.:\n  duckdb {database_path} "{example}"')


def _print_identity_summary(connection: duckdb.DuckDBPyConnection) -> None:
    """How many customers the records became, and how well, when the ground truth is there."""
    (records, customers) = connection.execute(
        "select count(*), count(distinct customer_id) from main_intermediate.int_identity_customer_ids"
    ).fetchone()
    print(f"\nIdentity resolution: {records:,} source records -> {customers:,} customers")
    quality = connection.execute(
        "select scope, record_count, pairwise_precision, pairwise_recall, pairwise_f1 "
        "from main_marts.identity_resolution_quality where left_source = 'all' order by scope"
    ).fetchall()
    for scope, scored, precision, recall, f1 in quality:
        print(
            f"  against the sample's truth, {scope:<22} {scored:>7,} records: "
            f"precision {precision:.4f}, recall {recall:.4f}, F1 {f1:.4f}"
        )


def command_demo(args: argparse.Namespace) -> int:
    project_dir = find_project_dir()
    started = time.monotonic()
    print(f"Building the CDP on the sample data (target {args.target})...", flush=True)
    # Staging reads the raw tables through source(), which dbt does not order after seeds: load them first.
    seeded = run_dbt(["seed", "--full-refresh"], project_dir, args.target)
    print(seeded.describe(), flush=True)
    built = run_dbt(["build", "--exclude", "resource_type:seed"], project_dir, args.target)
    print(built.describe(), flush=True)
    if args.target == "duckdb":
        _print_duckdb_summary(project_dir)
    print(f"\nDemo finished in {time.monotonic() - started:.0f} s.")
    return 0


def command_generate(generator_args: list[str]) -> int:
    from activation.datagen.cli import main as generate_main

    return generate_main(generator_args, prog="activation generate")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="activation", description="Composable CDP: build and activate.")
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    parser.add_argument("-v", "--verbose", action="store_true", help="log debug details")
    commands = parser.add_subparsers(dest="command", required=True)

    demo = commands.add_parser("demo", help="build the whole CDP on the committed sample data")
    demo.add_argument("--target", choices=TARGETS, default=os.environ.get("CDP_TARGET", "duckdb"))
    demo.set_defaults(handler=command_demo)

    # Listed for --help only: main() hands everything after "generate" to the generator's own parser.
    commands.add_parser("generate", help="write synthetic raw source data with ground truth (see its --help)")
    register_sync_commands(commands)
    return parser


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] == ["generate"]:
        return command_generate(argv[1:])
    args = build_parser().parse_args(argv)
    logging.basicConfig(
        level=logging.DEBUG if args.verbose else logging.WARNING,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )
    try:
        return args.handler(args)
    except ActivationError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
