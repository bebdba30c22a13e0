"""Pairwise precision, recall and F1 of a clustering of records against the true persons behind them.

Shared by the identity-resolution benchmarks (our dbt identity models and the Splink baseline) so that both
are scored the same way:

    from identity_metrics import pairwise_scores
    scores = pairwise_scores(con, "select record_key, cluster_id, person_id from scored_records")

Every pair of records is a positive of the prediction when both records are in the same predicted cluster, and
a positive of the truth when both belong to the same true person. Over all pairs:

    true positives = pairs in the same predicted cluster and the same true person
    precision      = true positives / predicted pairs
    recall         = true positives / true pairs
    F1             = harmonic mean of the two

Counting needs no pair: a group of n records holds n * (n - 1) / 2 pairs, so the three totals are sums over
the groups by predicted cluster, by true person, and by (predicted cluster, true person), all in SQL.

A record without a predicted cluster or without a true person is its own singleton (it pairs with nothing on
that side). Filter out records that must not be scored (internal test accounts) in `table_sql`.
"""

from __future__ import annotations

from typing import Any

SCORE_COLUMNS = (
    "records",
    "predicted_clusters",
    "true_persons",
    "predicted_pairs",
    "true_pairs",
    "true_positive_pairs",
)


def pairwise_scores(con: Any, table_sql: str) -> dict[str, float | int]:
    """Score the clustering that `table_sql` yields, on a DuckDB connection `con`.

    `table_sql` is a query (no trailing semicolon) whose first three columns are, in this order, the record
    key (unique), the predicted cluster and the true person; their names do not matter. Returns the counts
    in SCORE_COLUMNS plus `precision`, `recall` and `f1`. With no predicted pair, precision is 1.0 (nothing
    was wrongly merged); with no true pair, recall is 1.0 (nothing could be missed).
    """
    sql = f"""
        with scored as (
            select
                cast(record_key as varchar) as record_key,
                coalesce(cast(predicted_cluster as varchar), '~record:' || cast(record_key as varchar))
                    as predicted_cluster,
                coalesce(cast(true_person as varchar), '~record:' || cast(record_key as varchar))
                    as true_person
            from ({table_sql}) as input_records (record_key, predicted_cluster, true_person)
        ),

        by_cluster as (
            select count(*)::bigint as n from scored group by predicted_cluster
        ),

        by_person as (
            select count(*)::bigint as n from scored group by true_person
        ),

        by_cluster_and_person as (
            select count(*)::bigint as n from scored group by predicted_cluster, true_person
        )

        select
            (select count(*) from scored) as records,
            (select count(distinct record_key) from scored) as distinct_records,
            (select count(*) from by_cluster) as predicted_clusters,
            (select count(*) from by_person) as true_persons,
            (select coalesce(sum(n * (n - 1) // 2), 0) from by_cluster) as predicted_pairs,
            (select coalesce(sum(n * (n - 1) // 2), 0) from by_person) as true_pairs,
            (select coalesce(sum(n * (n - 1) // 2), 0) from by_cluster_and_person) as true_positive_pairs
    """
    # fetchall, not fetchone: DuckDB 2 keeps a partly fetched result open and refuses other work meanwhile.
    (row,) = con.execute(sql).fetchall()
    records, distinct_records, *counts = (int(value) for value in row)
    if distinct_records != records:
        raise ValueError(
            f"pairwise_scores: record keys must be unique, got {records:,} rows for {distinct_records:,} keys"
        )
    scores: dict[str, float | int] = dict(zip(SCORE_COLUMNS, [records, *counts], strict=True))
    predicted_pairs = scores["predicted_pairs"]
    true_pairs = scores["true_pairs"]
    true_positives = scores["true_positive_pairs"]
    precision = true_positives / predicted_pairs if predicted_pairs else 1.0
    recall = true_positives / true_pairs if true_pairs else 1.0
    scores["precision"] = precision
    scores["recall"] = recall
    scores["f1"] = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return scores
