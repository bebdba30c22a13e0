"""Identity resolution: quality against the generator's truth, and customer ids that survive re-runs.

Quality is scored on records that carry evidence (profiles, and touchpoints with an identifier other than
their own id): a web visitor who never logged in cannot be attributed by anyone.

Two data sets. The committed sample keeps the generator's deliberately split people (a quarter of those with
both a shop account and a loyalty card leave no record tying the two, so that a later batch can bridge them:
no resolver can join them before that). Freshly generated data without those splits measures what the
resolver finds when the evidence exists. For each, a floor a little under what this implementation reaches
(measured: sample P 0.9957 R 0.9694; generated seed 11 P 0.9961 R 0.9846, and seed 7, not run here,
P 0.9961 R 0.9809), asserted so that a change cannot make it worse unnoticed; and on the generated data the
product target of the identity issue (P >= 0.995, R >= 0.98).
"""

from __future__ import annotations

import pytest

from tests.conftest import GeneratedWarehouse, Warehouse, make_duckdb_warehouse

PRECISION_FLOOR = 0.993
RECALL_FLOOR = 0.965
GENERATED_PRECISION_FLOOR = 0.995
GENERATED_RECALL_FLOOR = 0.982
PRECISION_TARGET = 0.995
RECALL_TARGET = 0.98
# Re-run clustering and the id assignment (not staging: on Spark that alone takes minutes).
RERUN_MODELS = [
    "int_identity_profile_clusters",
    "int_identity_clusters",
    "int_identity_customer_id_history",
    "int_identity_customer_ids",
]


def quality(warehouse: Warehouse, scope: str = "records_with_evidence") -> tuple[float, float, int]:
    marts = f"{warehouse.schema}_marts"
    rows = warehouse.query(
        "select pairwise_precision, pairwise_recall, record_count "
        f"from {marts}.identity_resolution_quality where scope = '{scope}' and left_source = 'all'"
    )
    assert len(rows) == 1, f"no overall quality row for {scope}"
    precision, recall, records = rows[0]
    return float(precision), float(recall), int(records)


def customer_map(warehouse: Warehouse) -> dict[str, str]:
    rows = warehouse.query(
        f"select record_key, customer_id from {warehouse.schema}_intermediate.int_identity_customer_ids"
    )
    return dict(rows)


def test_identity_resolution_meets_the_quality_floor_on_the_sample(sample_warehouse: Warehouse) -> None:
    precision, recall, records = quality(sample_warehouse)
    assert records > 10_000
    assert precision >= PRECISION_FLOOR, f"precision {precision:.4f} on {sample_warehouse.target}"
    assert recall >= RECALL_FLOOR, f"recall {recall:.4f} on {sample_warehouse.target}"


def test_rerunning_on_unchanged_data_keeps_every_customer_id(sample_warehouse: Warehouse) -> None:
    history = f"{sample_warehouse.schema}_intermediate.int_identity_customer_id_history"
    before_map = customer_map(sample_warehouse)
    before_history = int(sample_warehouse.query(f"select count(*) from {history}")[0][0])
    # Spark plans every statement for about a second and the clustering models run tens of them: there, the
    # re-run starts at the id models (their input unchanged), where the incremental id logic lives.
    models = RERUN_MODELS[2:] if sample_warehouse.target == "spark" else RERUN_MODELS
    sample_warehouse.dbt("run", "--select", *models)
    assert customer_map(sample_warehouse) == before_map
    after_history = sample_warehouse.query(f"select count(*) from {history}")[0][0]
    assert int(after_history) == before_history, "an unchanged re-run wrote customer id history"


@pytest.fixture(scope="module")
def generated_quality(generated_warehouse: GeneratedWarehouse) -> tuple[float, float, int]:
    return quality(generated_warehouse.warehouse)


@pytest.mark.shared_build("generated")
def test_generated_data_meets_the_quality_floor(generated_quality: tuple[float, float, int]) -> None:
    precision, recall, records = generated_quality
    assert records > 15_000
    assert precision >= GENERATED_PRECISION_FLOOR, f"precision {precision:.4f}"
    assert recall >= GENERATED_RECALL_FLOOR, f"recall {recall:.4f}"


@pytest.mark.shared_build("generated")
def test_generated_data_reaches_the_product_target(generated_quality: tuple[float, float, int]) -> None:
    precision, recall, _ = generated_quality
    assert precision >= PRECISION_TARGET and recall >= RECALL_TARGET, f"P {precision:.4f} R {recall:.4f}"


# Hand-made people added to the sample (unique names, e-mails and phones, so nothing else moves).
# First run: a shop account and a loyalty card of Zéphyrin that nothing links (the card has no surname,
# no birth date and no e-mail); Anatole and Berthe, a couple sharing a landline, and a support ticket
# that only gives that landline (attached to one of them: equal claims, smaller cluster id: Anatole).
FIRST_BATCH = {
    "shop_customers": [
        "('CUSX00000001', 'zephyrin.quasimodo@quasi-mail.fr', 'Zéphyrin', 'Quasimodo', null, '1971-02-03', "
        "null, null, null, 'FR', 'true', '2025-01-01T10:00:00Z', '2025-01-01T10:00:00Z')"
    ],
    "loyalty_members": [
        "('2999999999991', 'Zéphyrin', null, null, '06 99 88 77 61', null, '13001', 'Marseille', 'FR', "
        "'ST001', 'bronze', '2025-02-01')"
    ],
    "crm_contacts": [
        "('CRMX00000001', 'M.', 'Anatole', 'Vercingétorix', 'anatole.v@quasi-mail.fr', "
        "'04 91 11 22 33', null, '1950-05-05', '3 rue Paradis', '13001', 'Marseille', 'France', 'fr', "
        "'2024-05-01T10:00:00Z', '2024-05-01T10:00:00Z')",
        "('CRMX00000002', 'Mme', 'Berthe', 'Vercingétorix', 'berthe.v@quasi-mail.fr', "
        "'04 91 11 22 33', null, '1952-06-06', '3 rue Paradis', '13001', 'Marseille', 'France', 'fr', "
        "'2024-05-01T10:00:00Z', '2024-05-01T10:00:00Z')",
    ],
    "support_tickets": [
        "('TCKX00000001', null, '04 91 11 22 33', 'Vercingétorix', 'Question', 'phone', 'solved', "
        "null, null, '2025-03-01T10:00:00Z', null)"
    ],
}
# Second batch: a CRM contact of Zéphyrin with the account's e-mail and the card's mobile (merges the two
# customers), and Berthe's loyalty card with the landline (Berthe's customer now carries the landline on
# two records: the ticket moves to her, splitting it off Anatole's customer).
SECOND_BATCH = {
    "crm_contacts": [
        "('CRMX00000003', 'M.', 'Zéphyrin', 'Quasimodo', 'zephyrin.quasimodo@quasi-mail.fr', null, "
        "'06 99 88 77 61', '03/02/1971', null, null, null, 'France', 'fr', '2025-04-01T10:00:00Z', "
        "'2025-04-01T10:00:00Z')"
    ],
    "loyalty_members": [
        "('2999999999992', 'Berthe', 'Vercingétorix', 'berthe.v@quasi-mail.fr', '04 91 11 22 33', "
        "'06/06/1952', '13001', 'Marseille', 'FR', 'ST001', 'bronze', '2025-04-02')"
    ],
}


def insert_raw_rows(warehouse: Warehouse, batch: dict[str, list[str]]) -> None:
    statements = [
        f"insert into {warehouse.raw_schema}.{table} values {', '.join(rows)}"
        for table, rows in batch.items()
    ]
    warehouse.execute(*statements)


def test_new_records_that_merge_and_split_customers_keep_ids_and_log_changes(
    tmp_path_factory: pytest.TempPathFactory,
) -> None:
    warehouse = make_duckdb_warehouse(tmp_path_factory.mktemp("identity-changes"))
    warehouse.dbt("seed", "--full-refresh")
    insert_raw_rows(warehouse, FIRST_BATCH)
    warehouse.dbt("run", "--select", "+fct_identity_changes")
    before = customer_map(warehouse)
    zephyrin_account = before["shop_customers:CUSX00000001"]
    zephyrin_card = before["loyalty_members:2999999999991"]
    anatole = before["crm_contacts:CRMX00000001"]
    berthe = before["crm_contacts:CRMX00000002"]
    assert zephyrin_account != zephyrin_card
    assert anatole != berthe
    assert before["support_tickets:TCKX00000001"] == anatole

    insert_raw_rows(warehouse, SECOND_BATCH)
    warehouse.dbt("run", "--select", "+fct_identity_changes")
    after = customer_map(warehouse)

    merged = after["shop_customers:CUSX00000001"]
    assert merged in (zephyrin_account, zephyrin_card), "the merged customer must keep one of the two ids"
    assert after["loyalty_members:2999999999991"] == merged == after["crm_contacts:CRMX00000003"]
    assert after["support_tickets:TCKX00000001"] == berthe == after["loyalty_members:2999999999992"]
    assert after["crm_contacts:CRMX00000001"] == anatole
    moved = {"support_tickets:TCKX00000001", "shop_customers:CUSX00000001", "loyalty_members:2999999999991"}
    unchanged = {key: customer for key, customer in before.items() if key not in moved}
    assert {key: after[key] for key in unchanged} == unchanged, "records nothing touched changed customer"

    changes = warehouse.query(
        "select change_type, previous_customer_id, customer_id, moved_record_count, is_new_customer_id "
        f"from {warehouse.schema}_marts.fct_identity_changes order by change_type"
    )
    absorbed = zephyrin_card if merged == zephyrin_account else zephyrin_account
    assert changes == [
        ("merged_into", absorbed, merged, 1, False),
        ("split_off", anatole, berthe, 1, False),
    ]


def replay_on_duckdb(warehouse: Warehouse) -> None:
    if warehouse.target != "duckdb":
        pytest.skip(
            "the replay's logic is Jinja over a few queries; every engine runs it in the sample build"
        )


def matches_table(name: str, matches: list[tuple[str, str, float]]) -> str:
    """Matches between records named 'a', 'b', ... whose node ids are 1, 2, ...: the replay works on the ids
    and names its cuts by record key."""
    rows = ", ".join(
        f"({ord(left) - 96}, {ord(right) - 96}, '{left}', '{right}', {probability})"
        for left, right, probability in matches
    )
    return (
        f"create or replace table {name} as select * from (values {rows}) as matches"
        "(left_node_id, right_node_id, left_record_key, right_record_key, match_probability)"
    )


def test_identifier_limits_cut_the_weakest_matches_between_parts(sample_warehouse: Warehouse) -> None:
    """The replay of identity_limit_cuts on a hand-made cluster, e-mail limited to two per customer.

    a-b (0.99) joins {a, b} with e1, e2; c-d (0.95) joins {c, d} with e3; a-c (0.85) and b-c (0.80) would join
    the two parts with three e-mails: both are cut, the stronger matches stay. e has no e-mail: d-e stays.
    """
    import json

    replay_on_duckdb(sample_warehouse)
    warehouse = sample_warehouse
    warehouse.execute(
        "create schema if not exists limits",
        "create or replace table limits.clusters as select node_id, 1 as component_id "
        "from (values (1), (2), (3), (4), (5)) as nodes(node_id)",
        matches_table(
            "limits.matches",
            [("a", "b", 0.99), ("c", "d", 0.95), ("a", "c", 0.85), ("b", "c", 0.80), ("d", "e", 0.70)],
        ),
        "create or replace table limits.identifiers as select * from (values (1, 'email', 'e1'), "
        "(2, 'email', 'e2'), (3, 'email', 'e3'), (4, 'phone', 'p1'), (1, 'phone', 'p1')) "
        "as identifiers(node_id, identifier_type, identifier_value)",
        "create or replace table limits.types as select * from (values ('email', true, 2), "
        "('phone', true, null)) as types(identifier_type, is_linking, max_values_per_customer)",
    )
    query = (
        "{% set cuts = cdp.identity_limit_cuts('limits.clusters', 'limits.matches', 'limits.identifiers', "
        "'limits.types') %}select '{{ tojson(cuts) }}' as cuts"
    )
    completed = warehouse.dbt("--quiet", "show", "--inline", query, "--output", "json")
    rows = json.loads(completed.stdout[completed.stdout.index("{") :])["show"]
    cuts = json.loads(rows[0]["cuts"])
    assert sorted((cut["left_record_key"], cut["right_record_key"]) for cut in cuts) == [
        ("a", "c"),
        ("b", "c"),
    ]
    assert {(cut["identifier_type"], cut["value_count"], cut["max_values_per_customer"]) for cut in cuts} == {
        ("email", 3, 2)
    }
    assert {cut["cut_reason"] for cut in cuts} == {"identifier_limit"}


def test_cannot_link_pairs_cut_the_weakest_match_of_a_chain(sample_warehouse: Warehouse) -> None:
    """A chain of namesakes: a-b (0.99) and c-d (0.98) are strong, b-c (0.92) and a-c (0.91) join them; a and
    d were compared and found to be different people (cannot-link). Replayed strongest first, b-c and a-c
    would put a and d together: both are cut, the strong matches stay. No identifier limit applies."""
    import json

    replay_on_duckdb(sample_warehouse)
    warehouse = sample_warehouse
    warehouse.execute(
        "create schema if not exists chain",
        "create or replace table chain.clusters as select node_id, 1 as component_id "
        "from (values (1), (2), (3), (4)) as nodes(node_id)",
        matches_table(
            "chain.matches", [("a", "b", 0.99), ("c", "d", 0.98), ("b", "c", 0.92), ("a", "c", 0.91)]
        ),
        "create or replace table chain.identifiers as select * from (values (1, 'email', 'e1')) "
        "as identifiers(node_id, identifier_type, identifier_value)",
        "create or replace table chain.types as select * from (values ('email', true, 3)) "
        "as types(identifier_type, is_linking, max_values_per_customer)",
        "create or replace table chain.conflicts as select * from (values (4, 1)) "
        "as conflicts(left_node_id, right_node_id)",
    )
    query = (
        "{% set cuts = cdp.identity_limit_cuts('chain.clusters', 'chain.matches', 'chain.identifiers', "
        "'chain.types', 'chain.conflicts') %}select '{{ tojson(cuts) }}' as cuts"
    )
    completed = warehouse.dbt("--quiet", "show", "--inline", query, "--output", "json")
    rows = json.loads(completed.stdout[completed.stdout.index("{") :])["show"]
    cuts = json.loads(rows[0]["cuts"])
    cut_pairs = sorted((cut["left_record_key"], cut["right_record_key"]) for cut in cuts)
    assert cut_pairs == [("a", "c"), ("b", "c")]
    reasons = {
        (cut["cut_reason"], cut["conflicting_left_record_key"], cut["conflicting_right_record_key"])
        for cut in cuts
    }
    assert reasons == {("cannot_link", "a", "d")}
