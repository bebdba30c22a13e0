"""Splink baseline for the identity-resolution benchmark: the same person records, resolved by Splink.

    .venv/bin/python benchmarks/splink_baseline.py --duckdb /tmp/bench/cdp.duckdb             # both settings
    .venv/bin/python benchmarks/splink_baseline.py --duckdb cdp.duckdb --settings fast \\
        --staging-schema main_staging --truth-schema raw

Splink is a benchmark-only dependency, not one of the project's: install it with

    .venv/bin/pip install -e '.[bench]'      # or: .venv/bin/pip install 'splink>=5,<6'

(Splink 5 needs only duckdb, pyarrow and sqlglot; it leaves our pins on duckdb, pandas and numpy alone.)

Person records: every row of stg_crm__contacts, stg_shop__customers and stg_loyalty__members in the built
staging schema, one table with unique_id '<source_table>:<record id>' (source_table as in the ground truth
`truth_record_persons`: crm_contacts, shop_customers, loyalty_members) and the staged matching columns:
first_name_key, last_name_key, birth_date, email_normalized, phones (the list of distinct E.164 numbers: the
CRM's phone and mobile phone, the other sources' phone), postal_code, city_key, address_key (loyalty cards
have none) and country_code. Splink runs in an in-memory DuckDB with the CDP database attached read-only, so
none of its working tables lands in the CDP database.

Training is unsupervised (the truth is only read to score the clusters): the prior (probability that two
random records match) from deterministic rules with an assumed recall of 0.7, u by random sampling (seeded),
m by expectation maximisation. Address, postcode and city are one comparison in both settings (they are
nested, and separate comparisons would count the same evidence two or three times). Two settings:

  fast      4 blocking rules (email, any shared phone, first+last name+birth year, first+last name+postcode),
            exact-match comparisons plus one Jaro-Winkler level (0.9) on each name, u from 1e6 sampled pairs,
            EM on 2 blocking rules, predictions kept from match probability 0.9, clusters at 0.9 (the spirit
            of Splink's "quick and dirty" example).
  textbook  the Splink tutorial's set-up, scaled to these columns: 9 blocking rules, NameComparison on each
            name (Jaro-Winkler 0.92/0.88/0.7, term frequencies), DateOfBirthComparison, exact e-mail with term
            frequencies, postcode and city with term frequencies, u from 1e7 sampled pairs, EM on 3 blocking
            rules, all predictions from match weight -10, clusters at 0.95. Not EmailComparison: its
            username levels reward name-derived usernames (jean.dupont@ at another provider), which repeats
            the name evidence; on 20k people it took precision from 0.84 to 0.49.

Scoring: pairwise precision, recall and F1 over the records of real persons (test accounts, persons 'T...',
are clustered but not scored), see identity_metrics.py.
"""

from __future__ import annotations

import argparse
import logging
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from identity_metrics import pairwise_scores

SETTINGS = ("fast", "textbook")
PHASES = ("prepare", "prior", "u", "em", "predict", "cluster")
INSTALL_HINT = "Splink is not installed: .venv/bin/pip install -e '.[bench]' (or: pip install splink)"

# (source_table in the truth, staging model, record id column, phone columns, address key or None)
PERSON_SOURCES = (
    ("crm_contacts", "stg_crm__contacts", "contact_id", ("phone_e164", "mobile_phone_e164"), "address_key"),
    ("shop_customers", "stg_shop__customers", "customer_id", ("phone_e164",), "address_key"),
    ("loyalty_members", "stg_loyalty__members", "loyalty_card_id", ("phone_e164",), None),
)

# Default cluster threshold (match probability) per settings.
CLUSTER_THRESHOLD = {"fast": 0.9, "textbook": 0.95}


def quote_identifier(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def person_records_sql(database_alias: str, staging_schema: str) -> str:
    """One select over the three staging tables, in the columns Splink is given."""
    parts = []
    for source_table, model, id_column, phone_columns, address_column in PERSON_SOURCES:
        table = f"{quote_identifier(database_alias)}.{quote_identifier(staging_schema)}.{model}"
        phones = ", ".join(phone_columns)
        parts.append(
            f"""
            select
                '{source_table}' as source_table,
                {id_column} as record_id,
                first_name_key,
                last_name_key,
                birth_date,
                email_normalized,
                list_sort(list_distinct([{phones}])) as phones,
                postal_code,
                city_key,
                {address_column or "cast(null as varchar)"} as address_key,
                country_code
            from {table}"""
        )
    union = "\n            union all".join(parts)
    return f"""
        select
            source_table || ':' || record_id as unique_id,
            source_table,
            record_id,
            first_name_key,
            last_name_key,
            cast(birth_date as date) as birth_date,
            year(cast(birth_date as date)) as birth_year,
            email_normalized,
            case when len(phones) > 0 then phones end as phones,
            postal_code,
            city_key,
            address_key,
            country_code
        from ({union}
        ) as person_records
        where record_id is not null
    """


def location_comparison(term_frequencies: bool, similar_address: bool) -> Any:
    """Address, postcode and city as one comparison, most specific level first.

    They are nested (same address => same postcode => same city), so three separate comparisons would add
    up the same evidence three times (Splink's model assumes its comparisons independent given the match
    status); one comparison weighs each pair by its best level only.
    """
    import splink.comparison_level_library as cll
    import splink.comparison_library as cl

    levels = [
        cll.And(cll.NullLevel("address_key"), cll.NullLevel("postal_code"), cll.NullLevel("city_key")),
        cll.And(cll.ExactMatchLevel("address_key"), cll.ExactMatchLevel("postal_code")).configure(
            label_for_charts="Same address and postcode"
        ),
    ]
    if similar_address:
        levels.append(
            cll.And(cll.JaroWinklerLevel("address_key", 0.9), cll.ExactMatchLevel("postal_code")).configure(
                label_for_charts="Similar address (Jaro-Winkler >= 0.9), same postcode"
            )
        )
    levels += [
        cll.ExactMatchLevel("postal_code", term_frequency_adjustments=term_frequencies),
        cll.ExactMatchLevel("city_key", term_frequency_adjustments=term_frequencies),
        cll.ElseLevel(),
    ]
    return cl.CustomComparison(levels, output_column_name="location")


def splink_settings(settings: str) -> dict[str, Any]:
    """The Splink model, prior rules and training plan of `settings` ('fast' or 'textbook')."""
    import splink.comparison_library as cl
    from splink import SettingsCreator, block_on

    # Deterministic rules for the prior: pairs these admit are almost surely matches; assumed recall 0.7.
    prior_rules = [
        block_on("first_name_key", "last_name_key", "birth_date"),
        block_on("email_normalized", "first_name_key"),
    ]
    any_shared_phone = block_on("phones", arrays_to_explode=["phones"])
    if settings == "fast":
        blocking_rules = [
            block_on("email_normalized"),
            any_shared_phone,
            block_on("first_name_key", "last_name_key", "birth_year"),
            block_on("first_name_key", "last_name_key", "postal_code"),
        ]
        comparisons = [
            cl.JaroWinklerAtThresholds("first_name_key", 0.9),
            cl.JaroWinklerAtThresholds("last_name_key", 0.9),
            cl.ExactMatch("birth_date"),
            cl.ExactMatch("email_normalized"),
            cl.ArrayIntersectAtSizes("phones", 1),
            location_comparison(term_frequencies=False, similar_address=False),
            cl.ExactMatch("country_code"),
        ]
        return {
            "model": SettingsCreator(
                link_type="dedupe_only",
                blocking_rules_to_generate_predictions=blocking_rules,
                comparisons=comparisons,
                retain_matching_columns=False,
            ),
            "prior_rules": prior_rules,
            "prior_recall": 0.7,
            "u_max_pairs": 1e6,
            "em_rules": [
                block_on("email_normalized"),
                block_on("first_name_key", "last_name_key", "birth_year"),
            ],
            "em_without_tf": False,
            "predict": "at cluster threshold",
        }
    if settings == "textbook":
        blocking_rules = [
            block_on("email_normalized"),
            any_shared_phone,
            block_on("first_name_key", "last_name_key"),
            block_on("last_name_key", "birth_date"),
            block_on("first_name_key", "birth_date"),
            block_on("postal_code", "first_name_key"),
            block_on("postal_code", "last_name_key"),
            block_on("address_key", "postal_code"),
            block_on("substr(first_name_key, 1, 2)", "substr(last_name_key, 1, 2)", "birth_year"),
        ]
        comparisons = [
            cl.NameComparison("first_name_key"),
            cl.NameComparison("last_name_key"),
            cl.DateOfBirthComparison("birth_date", input_is_string=False),
            # Not cl.EmailComparison: its username levels (same or similar local part, other domain) reward
            # name-derived usernames (jean.dupont@...), i.e. repeat the name comparisons' evidence; staging's
            # email_normalized already undoes the gmail dots, +tags and domain typos.
            cl.ExactMatch("email_normalized").configure(term_frequency_adjustments=True),
            cl.ArrayIntersectAtSizes("phones", [2, 1]),
            location_comparison(term_frequencies=True, similar_address=True),
            cl.ExactMatch("country_code"),
        ]
        return {
            "model": SettingsCreator(
                link_type="dedupe_only",
                blocking_rules_to_generate_predictions=blocking_rules,
                comparisons=comparisons,
                retain_matching_columns=False,
            ),
            "prior_rules": prior_rules,
            "prior_recall": 0.7,
            "u_max_pairs": 1e7,
            "em_rules": [
                block_on("first_name_key", "last_name_key"),
                block_on("birth_date"),
                block_on("email_normalized"),
            ],
            "em_without_tf": True,
            "predict": {"threshold_match_weight": -10},
        }
    raise ValueError(f"settings must be one of {', '.join(SETTINGS)}, got {settings!r}")


def run_splink(
    duckdb_path: Path,
    staging_schema: str,
    truth_schema: str,
    settings: str,
    *,
    threshold: float | None = None,
    seed: int = 42,
    verbose: bool = False,
) -> dict[str, Any]:
    """Resolve the person records of a built CDP DuckDB file with Splink and score the clusters.

    `settings` is 'fast' or 'textbook' (see the module docstring); `threshold` overrides its cluster
    threshold (match probability). Returns settings, records (given to Splink), scored_records, seconds
    (per phase in PHASES and total), predictions (pairs kept by predict), the scores of
    identity_metrics.pairwise_scores (precision, recall, f1, predicted_clusters, ...), threshold and
    splink_version.
    """
    if settings not in SETTINGS:
        raise ValueError(f"settings must be one of {', '.join(SETTINGS)}, got {settings!r}")
    try:
        import duckdb
        import splink
        from splink import DuckDBAPI, Linker
    except ImportError as error:
        raise ImportError(INSTALL_HINT) from error

    duckdb_path = Path(duckdb_path)
    if not duckdb_path.exists():
        raise FileNotFoundError(f"no DuckDB file at {duckdb_path}")
    cluster_threshold = CLUSTER_THRESHOLD[settings] if threshold is None else threshold
    seconds: dict[str, float] = {}

    started = time.perf_counter()
    con = duckdb.connect()
    try:
        escaped_path = str(duckdb_path).replace("'", "''")
        con.execute(f"attach '{escaped_path}' as cdp (read_only)")
        con.execute(f"create table person_records as {person_records_sql('cdp', staging_schema)}")
        (records,) = con.execute("select count(*) from person_records").fetchall()[0]
        plan = splink_settings(settings)
        db_api = DuckDBAPI(con)
        person_records = db_api.register("person_records", dataset_display_name="person_records")
        linker = Linker(person_records, plan["model"], log_level=logging.INFO if verbose else logging.ERROR)
        seconds["prepare"] = time.perf_counter() - started

        started = time.perf_counter()
        linker.training.estimate_probability_two_random_records_match(
            plan["prior_rules"], recall=plan["prior_recall"]
        )
        seconds["prior"] = time.perf_counter() - started

        started = time.perf_counter()
        linker.training.estimate_u_using_random_sampling(max_pairs=plan["u_max_pairs"], seed=seed)
        seconds["u"] = time.perf_counter() - started

        started = time.perf_counter()
        for rule in plan["em_rules"]:
            linker.training.estimate_parameters_using_expectation_maximisation(
                rule, estimate_without_term_frequencies=plan["em_without_tf"]
            )
        seconds["em"] = time.perf_counter() - started

        started = time.perf_counter()
        if plan["predict"] == "at cluster threshold":
            predict_filter = {"threshold_match_probability": cluster_threshold}
        else:
            predict_filter = plan["predict"]
        predictions = linker.inference.predict(**predict_filter)
        (prediction_count,) = con.execute(f"select count(*) from {predictions.physical_name}").fetchall()[0]
        seconds["predict"] = time.perf_counter() - started

        started = time.perf_counter()
        clusters = linker.clustering.cluster_pairwise_predictions_at_threshold(
            predictions, threshold_match_probability=cluster_threshold
        )
        seconds["cluster"] = time.perf_counter() - started
        seconds["total"] = sum(seconds[phase] for phase in PHASES)

        truth = f"cdp.{quote_identifier(truth_schema)}.truth_record_persons"
        scores = pairwise_scores(
            con,
            f"""
            select records.unique_id, clusters.cluster_id, truth.person_id
            from person_records as records
            left join {clusters.physical_name} as clusters on records.unique_id = clusters.unique_id
            left join {truth} as truth
                on records.source_table = truth.source_table and records.record_id = truth.record_id
            where truth.person_id is null or truth.person_id not like 'T%'
            """,
        )
        (unknown,) = con.execute(
            f"""
            select count(*) from person_records as records
            where not exists (
                select 1 from {truth} as truth
                where records.source_table = truth.source_table and records.record_id = truth.record_id
            )
            """
        ).fetchall()[0]
    finally:
        con.close()

    return {
        **scores,
        "settings": settings,
        "splink_version": splink.__version__,
        "threshold": cluster_threshold,
        "records": records,
        "scored_records": scores["records"],
        "records_without_truth": unknown,
        "predictions": prediction_count,
        "seconds": seconds,
    }


def format_table(results: list[dict[str, Any]]) -> str:
    header = (
        f"{'settings':<9} {'records':>9} {'prepare':>8} {'prior':>6} {'u':>6} {'EM':>6} {'predict':>8} "
        f"{'cluster':>8} {'total':>7} {'thresh':>6} {'precision':>9} {'recall':>7} {'F1':>6} {'clusters':>9}"
    )
    lines = [header, "-" * len(header)]
    for result in results:
        s = result["seconds"]
        lines.append(
            f"{result['settings']:<9} {result['records']:>9,} {s['prepare']:>8.1f} {s['prior']:>6.1f} "
            f"{s['u']:>6.1f} {s['em']:>6.1f} {s['predict']:>8.1f} {s['cluster']:>8.1f} {s['total']:>7.1f} "
            f"{result['threshold']:>6.2f} {result['precision']:>9.4f} {result['recall']:>7.4f} "
            f"{result['f1']:>6.4f} {result['predicted_clusters']:>9,}"
        )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--duckdb", type=Path, required=True, help="the built CDP DuckDB file (read only)")
    parser.add_argument("--staging-schema", default="main_staging")
    parser.add_argument("--truth-schema", default="raw", help="schema of truth_record_persons")
    parser.add_argument("--settings", choices=[*SETTINGS, "both"], default="both")
    parser.add_argument("--threshold", type=float, default=None, help="cluster threshold (match probability)")
    parser.add_argument("--seed", type=int, default=42, help="seed of the u sampling")
    parser.add_argument("--verbose", action="store_true", help="show Splink's log")
    args = parser.parse_args(argv)

    try:
        import splink
    except ImportError:
        sys.exit(INSTALL_HINT)

    results = []
    for settings in SETTINGS if args.settings == "both" else (args.settings,):
        result = run_splink(
            args.duckdb,
            args.staging_schema,
            args.truth_schema,
            settings,
            threshold=args.threshold,
            seed=args.seed,
            verbose=args.verbose,
        )
        results.append(result)
        print(
            f"{settings}: {result['records']:,} records, {result['predictions']:,} scored pairs kept, "
            f"{result['seconds']['total']:.1f} s",
            flush=True,
        )
    print(
        f"\nSplink {splink.__version__} (DuckDB), seconds per phase; pairwise scores over "
        f"{results[0]['scored_records']:,} records of real persons (test accounts excluded)"
    )
    print(format_table(results))
    return 0


if __name__ == "__main__":
    sys.exit(main())
