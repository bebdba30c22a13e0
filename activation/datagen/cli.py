"""Command line: ``python -m activation.datagen`` (also wired as ``activation generate``)."""

from __future__ import annotations

import argparse
import logging
import sys
from collections.abc import Sequence
from pathlib import Path

from .config import DEFAULT_END_DATE, DEFAULT_START_DATE, GeneratorConfig
from .dataset import SAMPLE_DIRECTORY, WriteReport, make_config, write_dataset, write_follow_up, write_sample
from .writers import FORMATS, load_into_duckdb

logger = logging.getLogger(__name__)

EPILOG = """\
examples:
  python -m activation.datagen --sample                      # rewrite seeds/sample (2,000 people, seed 42)
  python -m activation.datagen --sample --batch 1 --out /tmp/sample_batch1   # its first follow-up
  python -m activation.datagen --people 1000000 --out /tmp/cdp1m --format parquet
  python -m activation.datagen --follow-up-of /tmp/cdp1m --out /tmp/cdp1m_batch1
  python -m activation.datagen --people 100000 --out /tmp/cdp --duckdb /tmp/cdp.duckdb --duckdb-schema raw

A follow-up directory holds only new rows: append each file to the raw table of the same name.
"""


def build_parser(prog: str = "python -m activation.datagen") -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog=prog,
        description="Generate realistic raw CDP data (CRM, shop, web, stores, loyalty, support, consent, "
        "privacy, ads) with noise and a ground truth of who is who.",
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--people", type=int, default=2000, help="number of people (default: 2000)")
    parser.add_argument("--seed", type=int, default=42, help="random seed (default: 42)")
    parser.add_argument("--out", type=Path, help="output directory (required unless --sample)")
    parser.add_argument("--format", choices=FORMATS, default=None, help="csv or parquet (default: parquet)")
    parser.add_argument(
        "--start-date", default=None, help=f"first day of the base period (default: {DEFAULT_START_DATE})"
    )
    parser.add_argument(
        "--end-date", default=None, help=f"last day of the base period (default: {DEFAULT_END_DATE})"
    )
    parser.add_argument(
        "--chunk-size", type=int, default=GeneratorConfig.chunk_size, help="people per chunk (bounds memory)"
    )
    parser.add_argument(
        "--follow-up-of", type=Path, default=None, help="write the batch following this directory's"
    )
    parser.add_argument(
        "--batch", type=int, default=0, help="batch number to write without a previous directory"
    )
    parser.add_argument(
        "--with-persons", action="store_true", help="also write truth_persons (golden records)"
    )
    parser.add_argument(
        "--sample", action="store_true", help=f"(re)write the demo sample into {SAMPLE_DIRECTORY}"
    )
    parser.add_argument(
        "--duckdb", type=Path, default=None, help="also load the output into this DuckDB file"
    )
    parser.add_argument("--duckdb-schema", default="raw", help="schema of the loaded tables (default: raw)")
    parser.add_argument("-v", "--verbose", action="store_true", help="log progress per chunk")
    return parser


def run(args: argparse.Namespace) -> WriteReport:
    """Execute parsed arguments; raises ValueError on bad combinations."""
    if args.sample:
        if args.follow_up_of:
            raise ValueError("sample: --sample and --follow-up-of are exclusive (use --sample --batch K)")
        if args.batch:
            # A follow-up of the committed sample (which has no manifest): same settings, batch K.
            if args.out is None:
                raise ValueError(
                    "out: --sample --batch K needs --out DIR (seeds/sample holds the base batch)"
                )
            return write_dataset(
                args.out, GeneratorConfig.sample(), batch=args.batch, fmt=args.format or "csv"
            )
        return write_sample(args.out or SAMPLE_DIRECTORY)
    if args.out is None:
        raise ValueError("out: --out DIR is required (or use --sample)")
    if args.follow_up_of is not None:
        if args.batch:
            raise ValueError(
                "batch: --batch and --follow-up-of are exclusive (the batch comes from the manifest)"
            )
        return write_follow_up(args.follow_up_of, args.out, fmt=args.format, with_persons=args.with_persons)
    config = make_config(args.people, args.seed, args.start_date, args.end_date, chunk_size=args.chunk_size)
    return write_dataset(
        args.out, config, batch=args.batch, fmt=args.format or "parquet", with_persons=args.with_persons
    )


def main(argv: Sequence[str] | None = None, prog: str = "python -m activation.datagen") -> int:
    """Entry point; returns the process exit code (2 on invalid arguments)."""
    parser = build_parser(prog)
    args = parser.parse_args(argv)
    logging.basicConfig(
        level=logging.INFO if args.verbose else logging.WARNING, format="%(asctime)s %(message)s"
    )
    try:
        report = run(args)
        print(report.summary())
        if args.duckdb is not None:
            counts = load_into_duckdb(
                report.directory, args.duckdb, args.duckdb_schema, append=report.batch > 0
            )
            total = sum(counts.values())
            print(f"loaded {total:,} rows in {len(counts)} tables into {args.duckdb} ({args.duckdb_schema})")
    except ValueError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    return 0
