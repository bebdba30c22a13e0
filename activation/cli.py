"""The `activation` command line: a thin layer over the package's functions.

activation demo [--target duckdb]    build the whole CDP on the committed sample data
activation generate ...              write synthetic raw data with ground truth (see --help)
activation predict fit [--target duckdb] [--check]
                                     fit the predictive models on the warehouse and load their parameters
activation segments compile          check segments/*.yml and write their dbt models
activation segments list             the segments with their sizes in the last build
activation segments preview NAME     compute one segment on the warehouse now (size, overlap, sample)
activation sync|plan|status|destinations   reverse-ETL syncs (activation/syncs/cli.py)
activation receive-webhooks          a local Standard Webhooks receiver to sync to (what the demo uses)
activation ui [--port 8765]          the web app: segment builder, customer lookup, syncs, KPI dashboard
"""

from __future__ import annotations

import argparse
import base64
import json
import logging
import os
import secrets
import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import duckdb

    from activation.receiver import WebhookReceiver

from activation import __version__
from activation.errors import ActivationError, ConfigurationError
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
        _print_predictions_summary(connection)
        _print_segment_summary(connection)
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


#: What the predictive models are fitted on: built (and tested) before the fit, the rest after it.
PREDICTION_INPUTS = ["+int_customer_purchase_summaries", "+int_customer_lead_features"]


def _print_predictions_summary(connection: duckdb.DuckDBPyConnection) -> None:
    """What the predictive traits say about the sample, in a few numbers."""
    ((as_of, buyers, prospects, alive, purchases, clv, currency, leads),) = connection.execute(
        "select max(as_of_date), count(*) filter (where not is_prospect), "
        "count(*) filter (where is_prospect), "
        "avg(p_alive), sum(expected_purchases_90d), sum(predicted_clv_12m), max(value_currency), "
        "count(*) filter (where lead_score >= 0.25) "
        "from main_intermediate.int_customer_predictions"
    ).fetchall()
    print(f"\nPredictive traits as of {as_of}: {buyers:,} customers who bought, {prospects:,} prospects")
    print(
        f"  mean P(alive) {alive:.3f}; {purchases:,.0f} purchase days expected in 90 days; "
        f"12-month value {clv:,.0f} {currency}; {leads:,} prospects with a lead score >= 0.25"
    )


def _compile_segments(project_dir: Path) -> None:
    from activation.segments.compiler import compile_segments

    project, report = compile_segments(project_dir)
    changed = len(report.missing) + len(report.changed) + len(report.stale)
    print(
        f"Segments: {len(project.segments)} definitions compiled into models/segments/audiences"
        f" ({changed} file{'s' if changed != 1 else ''} changed)",
        flush=True,
    )


def _print_segment_summary(connection: duckdb.DuckDBPyConnection) -> None:
    """Each segment's size after the build (sent and holdout)."""
    sizes = connection.execute(
        "select segment_name, channel, count(*), sum(case when is_holdout then 1 else 0 end) "
        "from main_segments.segment_members group by segment_name, channel order by segment_name"
    ).fetchall()
    print("\nSegments (segments/*.yml; `activation segments preview NAME` for details):")
    for name, channel, members, holdout in sizes:
        print(f"  {name:<28} {channel:<20} {members:>6,} members ({holdout:,} holdout)")


STARTER_SYNCS_FILE = "models/segments/_segments__syncs.yml"


def _prepare_demo_destinations(project_dir: Path) -> WebhookReceiver:
    """Start the local webhook receiver the starter syncs send to (STARTER_SYNCS_FILE).

    The exposures read these variables when dbt parses the project, so they are set before the first dbt
    command. A user's own values win, except the URL: the receiver listens on a free port of its own.
    """
    from activation.receiver import WebhookReceiver

    output_dir = Path(os.environ.setdefault("CDP_DEMO_OUTPUT_DIR", str(project_dir / "target" / "demo")))
    secret = os.environ.setdefault(
        "CDP_DEMO_WEBHOOK_SECRET", "whsec_" + base64.b64encode(secrets.token_bytes(32)).decode()
    )
    receiver = WebhookReceiver(output_dir / "webhook_receiver", secret).start()
    os.environ["CDP_DEMO_WEBHOOK_URL"] = receiver.url
    return receiver


def _run_demo_syncs(project_dir: Path, target: str, receiver: WebhookReceiver) -> bool:
    """Sync the starter segments to the local destinations; True when every sync succeeded."""
    from activation.syncs.config import load_catalog, target_path
    from activation.syncs.runner import run_syncs

    if target == "spark":
        print(
            "\nSyncs keep their state in DuckDB or PostgreSQL: from Spark, run "
            "`activation sync --all --target spark --state-target duckdb`."
        )
        return True
    catalog = load_catalog(project_dir, target, target_path(project_dir) / "manifest.json")
    # Only the starter syncs: syncs a user added to the project may point at real tools.
    syncs = [sync for sync in catalog.select([], True) if sync.source_file == STARTER_SYNCS_FILE]
    print(f"\nSyncing {len(syncs)} starter segments ({STARTER_SYNCS_FILE}):", flush=True)
    results = run_syncs(project_dir, syncs, target, progress=False, out=sys.stdout)
    output_dir = Path(os.environ["CDP_DEMO_OUTPUT_DIR"])
    print("\nWhat the local destinations hold now:")
    for sync in syncs:
        if sync.destination_type == "webhook":
            held = len(receiver.held(sync.name))
            print(f"  {sync.name:<34} {held:>6,} records at the webhook receiver {receiver.url}")
        else:
            files = sorted((output_dir / "files" / sync.name).glob("*/*"))
            print(f"  {sync.name:<34} {len(files):>6,} files under {output_dir / 'files' / sync.name}")
    print(
        f"  (the receiver keeps each audience in {receiver.directory}; re-running the demo sends only what "
        "changed)"
    )
    return all(result.succeeded for result in results)


def command_demo(args: argparse.Namespace) -> int:
    project_dir = find_project_dir()
    started = time.monotonic()
    receiver = _prepare_demo_destinations(project_dir)
    try:
        return _build_and_sync_demo(project_dir, args.target, receiver, started)
    finally:
        receiver.stop()


def _build_and_sync_demo(project_dir: Path, target: str, receiver: WebhookReceiver, started: float) -> int:
    # The segment models are generated from segments/*.yml: a definition edited since the last compile must
    # reach the build.
    _compile_segments(project_dir)
    print(f"Building the CDP on the sample data (target {target})...", flush=True)
    # Staging reads the raw tables through source(), which dbt does not order after seeds: load them first.
    seeded = run_dbt(["seed", "--full-refresh"], project_dir, target)
    print(seeded.describe(), flush=True)
    # The predictive traits are scored from parameters fitted on the models upstream of them: build those,
    # fit, load the parameters, then build everything else. Cautious indirect selection runs each test once,
    # in the step where all the models it reads exist.
    inputs = run_dbt(
        [
            "build",
            "--select",
            *PREDICTION_INPUTS,
            "--exclude",
            "resource_type:seed",
            "--indirect-selection",
            "cautious",
        ],
        project_dir,
        target,
    )
    print(inputs.describe(), flush=True)
    fit_and_load_predictions(project_dir, target)
    built = run_dbt(
        ["build", "--exclude", "resource_type:seed", *PREDICTION_INPUTS, "--indirect-selection", "cautious"],
        project_dir,
        target,
    )
    print(built.describe(), flush=True)
    if target == "duckdb":
        _print_duckdb_summary(project_dir)
    synced = _run_demo_syncs(project_dir, target, receiver)
    print(f"\nDemo finished in {time.monotonic() - started:.0f} s.")
    return 0 if synced else 1


def fit_and_load_predictions(
    project_dir: Path, target: str, dbt_vars: dict[str, object] | None = None, *, check: bool = False
) -> int:
    """Fit the predictive models on the warehouse; write and load their parameters (or, with `check`, only
    compare them with the parameter file: exit code 1 when it is stale)."""
    from activation.predictions import pipeline

    path = project_dir / pipeline.PARAMETERS_PATH
    print(f"Fitting the predictive models on target {target}...", flush=True)
    report = pipeline.fit_from_warehouse(project_dir, target, dbt_vars)
    print(report.describe(), flush=True)
    previous = pipeline.read_parameter_rows(path) if path.is_file() else []
    if check:
        problems = pipeline.stale_parameters(report, previous)
        if problems:
            print(f"{path} is stale:\n  " + "\n  ".join(problems))
            return 1
        print(f"{path} matches a fresh fit.")
        return 0
    pipeline.write_parameter_rows(pipeline.merged_rows(report, previous), path)
    pipeline.load_parameters(project_dir, target, dbt_vars)
    print(f"Wrote {path} and loaded it into the warehouse (seed {pipeline.PARAMETERS_SEED}).", flush=True)
    return 0


def command_predict_fit(args: argparse.Namespace) -> int:
    dbt_vars = _parse_vars(args.vars)
    return fit_and_load_predictions(find_project_dir(), args.target, dbt_vars, check=args.check)


def _parse_vars(text: str | None) -> dict[str, object] | None:
    if not text:
        return None
    try:
        parsed = json.loads(text)
    except json.JSONDecodeError as error:
        raise ConfigurationError(
            f'--vars must be a JSON object, e.g. \'{{"cdp_predictions_as_of_date": "2026-01-31"}}\' ({error})'
        ) from error
    if not isinstance(parsed, dict):
        raise ConfigurationError("--vars must be a JSON object")
    return parsed


def command_segments_compile(args: argparse.Namespace) -> int:
    from activation.segments.compiler import check_in_sync

    project_dir = find_project_dir()
    if args.check:
        report = check_in_sync(project_dir)
        if report.in_sync:
            print("Segment models are in sync with segments/*.yml.")
            return 0
        print(f"Segment models are out of date (run `activation segments compile`):\n{report.describe()}")
        return 1
    _compile_segments(project_dir)
    return 0


def command_segments_list(args: argparse.Namespace) -> int:
    from activation.segments.preview import list_segments, render_listing

    print(render_listing(list_segments(find_project_dir(), args.target)))
    return 0


def command_segments_preview(args: argparse.Namespace) -> int:
    from activation.segments.preview import preview_segment

    if args.limit < 0:
        raise ConfigurationError(f"--limit must be 0 or more, got {args.limit}")
    preview = preview_segment(
        find_project_dir(), args.name, args.target, sample_size=args.limit, show_pii=args.show_pii
    )
    print(preview.render())
    return 0


def command_generate(generator_args: list[str]) -> int:
    from activation.datagen.cli import main as generate_main

    return generate_main(generator_args, prog="activation generate")


def command_receive_webhooks(args: argparse.Namespace) -> int:
    from activation.receiver import WebhookReceiver

    secret = os.environ.get(args.secret_env) if args.secret_env else None
    if args.secret_env and not secret:
        raise ConfigurationError(f"Environment variable {args.secret_env} (the signing secret) is not set.")
    receiver = WebhookReceiver(args.directory, secret, host=args.host, port=args.port)
    logging.getLogger("activation.receiver").setLevel(logging.INFO)
    print(
        f"Receiving webhooks at {receiver.url} ({'signatures checked' if secret else 'UNSIGNED'}); "
        f"audiences kept in {args.directory}. Ctrl-C stops.",
        flush=True,
    )
    try:
        receiver.serve_forever()
    except KeyboardInterrupt:
        print(f"\nStopped after {receiver.batches_applied:,} batches ({receiver.records_applied:,} records).")
    return 0


def command_ui(args: argparse.Namespace) -> int:
    from activation.ui import serve

    logging.getLogger("activation.ui").setLevel(logging.INFO)
    serve(
        find_project_dir(),
        args.target,
        args.host,
        args.port,
        show_pii=args.show_pii,
        token_env=args.token_env,
    )
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="activation", description="Composable CDP: build and activate.")
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    parser.add_argument("-v", "--verbose", action="store_true", help="log debug details")
    commands = parser.add_subparsers(dest="command", required=True)

    demo = commands.add_parser("demo", help="build the whole CDP on the committed sample data")
    demo.add_argument("--target", choices=TARGETS, default=os.environ.get("CDP_TARGET", "duckdb"))
    demo.set_defaults(handler=command_demo)

    predict = commands.add_parser("predict", help="predictive traits: fit the models on the warehouse")
    predict_commands = predict.add_subparsers(dest="predict_command", required=True)
    fit = predict_commands.add_parser(
        "fit",
        help="fit BG/NBD, Gamma-Gamma and the lead score; write seeds/predictions/ and load it with dbt seed",
    )
    fit.add_argument("--target", choices=TARGETS, default=os.environ.get("CDP_TARGET", "duckdb"))
    fit.add_argument(
        "--check",
        action="store_true",
        help="write nothing; exit 1 when the parameter file differs from a fresh fit",
    )
    fit.add_argument("--vars", help="dbt vars as a JSON object (e.g. cdp_predictions_as_of_date)")
    fit.set_defaults(handler=command_predict_fit)
    segments = commands.add_parser(
        "segments", help="compile, list and preview the segments of segments/*.yml"
    )
    segment_commands = segments.add_subparsers(dest="segments_command", required=True)
    compile_parser = segment_commands.add_parser(
        "compile", help="check every definition and write models/segments/audiences"
    )
    compile_parser.add_argument(
        "--check", action="store_true", help="write nothing; exit 1 when the generated models are out of date"
    )
    compile_parser.set_defaults(handler=command_segments_compile)
    list_parser = segment_commands.add_parser("list", help="the segments with their sizes in the last build")
    list_parser.add_argument("--target", choices=TARGETS, default=os.environ.get("CDP_TARGET", "duckdb"))
    list_parser.set_defaults(handler=command_segments_list)
    preview_parser = segment_commands.add_parser(
        "preview", help="compute one segment on the warehouse from its definition now (no dbt build)"
    )
    preview_parser.add_argument("name", help="the segment (its file name under segments/, without .yml)")
    preview_parser.add_argument("--target", choices=TARGETS, default=os.environ.get("CDP_TARGET", "duckdb"))
    preview_parser.add_argument("--limit", type=int, default=10, help="sample rows to show (default 10)")
    preview_parser.add_argument(
        "--show-pii", action="store_true", help="show personal data in the sample instead of masking it"
    )
    preview_parser.set_defaults(handler=command_segments_preview)

    receive = commands.add_parser(
        "receive-webhooks", help="run a local Standard Webhooks receiver that webhook syncs can send to"
    )
    receive.add_argument("--host", default="127.0.0.1")
    receive.add_argument("--port", type=int, default=8787)
    receive.add_argument("--directory", type=Path, default=Path("target/demo/webhook_receiver"))
    receive.add_argument(
        "--secret-env",
        default="CDP_DEMO_WEBHOOK_SECRET",
        help="environment variable holding the signing secret (empty string: accept unsigned requests)",
    )
    receive.set_defaults(handler=command_receive_webhooks)

    ui = commands.add_parser(
        "ui", help="serve the web app (segment builder, customer lookup, syncs, dashboard) on localhost"
    )
    ui.add_argument("--target", choices=TARGETS, default=os.environ.get("CDP_TARGET", "duckdb"))
    ui.add_argument("--host", default="127.0.0.1", help="address to bind (beyond loopback needs a token)")
    ui.add_argument("--port", type=int, default=8765)
    ui.add_argument(
        "--token-env",
        default="CDP_UI_TOKEN",
        help="environment variable holding the token clients must give (required off loopback)",
    )
    ui.add_argument("--show-pii", action="store_true", help="show personal data instead of masking it")
    ui.set_defaults(handler=command_ui)

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
