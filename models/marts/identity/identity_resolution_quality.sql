{#-
  How good identity resolution is, when the truth is known (generated data): pairwise precision, recall and
  F1 of the customer clusters over all record pairs they imply, overall and per pair of source tables.
  A pair is predicted when both records have the same customer id, true when they belong to the same person.
  Scopes:
  - all_records: every person-linked record of the truth (records outside the graph count as alone);
  - records_with_evidence: profile records, and touchpoints carrying a linking identifier other than their
    own id. A web visitor who never logged in nor left an e-mail, or an anonymous receipt, cannot be
    attributed by anyone: they are left out of this scope, which is what the quality thresholds apply to;
  - profile_records: CRM contacts, shop accounts and loyalty members only (what Splink is compared on).
  Internal test accounts are excluded. Empty when the ground truth is absent.
-#}

with

truth as (
    select * from {{ ref('stg_ground_truth__record_persons') }}
    where not is_test_account
),

customer_ids as (
    select * from {{ ref('int_identity_customer_ids') }}
),

records as (
    select * from {{ ref('int_identity_records') }}
),

identifiers as (
    select * from {{ ref('int_identifiers_unioned') }}
),

guarded_values as (
    select * from {{ ref('int_identifier_values_guarded') }}
    where guard_decision = 'link'
),

records_with_foreign_identifiers as (
    select distinct identifiers.record_key
    from identifiers
    inner join guarded_values
        on
            identifiers.identifier_type = guarded_values.identifier_type
            and identifiers.identifier_value = guarded_values.identifier_value
    where not (
        (identifiers.source_table = 'crm_contacts' and identifiers.identifier_type = 'crm_contact_id')
        or (identifiers.source_table = 'shop_customers' and identifiers.identifier_type = 'shop_customer_id')
        or (identifiers.source_table = 'loyalty_members' and identifiers.identifier_type = 'loyalty_card_id')
        or (identifiers.source_table = 'web_anonymous_ids' and identifiers.identifier_type = 'web_anonymous_id')
    )
),

labelled as (
    select
        truth.record_key,
        truth.source_table,
        truth.person_id,
        coalesce(customer_ids.customer_id, truth.record_key) as predicted_cluster,
        coalesce(records.is_profile, false) as is_profile,
        coalesce(records.is_profile, false) or records_with_foreign_identifiers.record_key is not null as has_evidence
    from truth
    left join customer_ids
        on truth.record_key = customer_ids.record_key
    left join records
        on truth.record_key = records.record_key
    left join records_with_foreign_identifiers
        on truth.record_key = records_with_foreign_identifiers.record_key
),

scoped as (
    select
        'all_records' as scope,
        labelled.*
    from labelled
    union all
    select
        'records_with_evidence' as scope,
        labelled.*
    from labelled
    where has_evidence
    union all
    select
        'profile_records' as scope,
        labelled.*
    from labelled
    where is_profile
),

{# Record counts per (scope, source, cluster, person): pair counts follow without listing pairs. #}
cells as (
    select
        scope,
        source_table,
        predicted_cluster,
        person_id,
        count(*) as record_count
    from scoped
    group by scope, source_table, predicted_cluster, person_id
),

by_cluster as (
    select
        scope,
        source_table,
        predicted_cluster,
        sum(record_count) as record_count
    from cells
    group by scope, source_table, predicted_cluster
),

by_person as (
    select
        scope,
        source_table,
        person_id,
        sum(record_count) as record_count
    from cells
    group by scope, source_table, person_id
),

{# Pairs between source a and source b (a <= b); within one source, unordered pairs n(n-1)/2. #}
true_positive_pairs as (
    select
        left_cells.scope,
        left_cells.source_table as left_source,
        right_cells.source_table as right_source,
        sum(
            case
                when left_cells.source_table = right_cells.source_table
                    then left_cells.record_count * (left_cells.record_count - 1) / 2
                else left_cells.record_count * right_cells.record_count
            end
        ) as pair_count
    from cells as left_cells
    inner join cells as right_cells
        on
            left_cells.scope = right_cells.scope
            and left_cells.predicted_cluster = right_cells.predicted_cluster
            and left_cells.person_id = right_cells.person_id
            and left_cells.source_table <= right_cells.source_table
    group by left_cells.scope, left_cells.source_table, right_cells.source_table
),

predicted_pairs as (
    select
        left_groups.scope,
        left_groups.source_table as left_source,
        right_groups.source_table as right_source,
        sum(
            case
                when left_groups.source_table = right_groups.source_table
                    then left_groups.record_count * (left_groups.record_count - 1) / 2
                else left_groups.record_count * right_groups.record_count
            end
        ) as pair_count
    from by_cluster as left_groups
    inner join by_cluster as right_groups
        on
            left_groups.scope = right_groups.scope
            and left_groups.predicted_cluster = right_groups.predicted_cluster
            and left_groups.source_table <= right_groups.source_table
    group by left_groups.scope, left_groups.source_table, right_groups.source_table
),

true_pairs as (
    select
        left_groups.scope,
        left_groups.source_table as left_source,
        right_groups.source_table as right_source,
        sum(
            case
                when left_groups.source_table = right_groups.source_table
                    then left_groups.record_count * (left_groups.record_count - 1) / 2
                else left_groups.record_count * right_groups.record_count
            end
        ) as pair_count
    from by_person as left_groups
    inner join by_person as right_groups
        on
            left_groups.scope = right_groups.scope
            and left_groups.person_id = right_groups.person_id
            and left_groups.source_table <= right_groups.source_table
    group by left_groups.scope, left_groups.source_table, right_groups.source_table
),

per_source_pair as (
    select
        coalesce(true_pairs.scope, predicted_pairs.scope) as scope,
        coalesce(true_pairs.left_source, predicted_pairs.left_source) as left_source,
        coalesce(true_pairs.right_source, predicted_pairs.right_source) as right_source,
        coalesce(true_pairs.pair_count, 0) as true_pair_count,
        coalesce(predicted_pairs.pair_count, 0) as predicted_pair_count,
        coalesce(true_positive_pairs.pair_count, 0) as true_positive_pair_count
    from true_pairs
    full outer join predicted_pairs
        on
            true_pairs.scope = predicted_pairs.scope
            and true_pairs.left_source = predicted_pairs.left_source
            and true_pairs.right_source = predicted_pairs.right_source
    left join true_positive_pairs
        on
            coalesce(true_pairs.scope, predicted_pairs.scope) = true_positive_pairs.scope
            and coalesce(true_pairs.left_source, predicted_pairs.left_source) = true_positive_pairs.left_source
            and coalesce(true_pairs.right_source, predicted_pairs.right_source) = true_positive_pairs.right_source
),

overall as (
    select
        scope,
        'all' as left_source,
        'all' as right_source,
        sum(true_pair_count) as true_pair_count,
        sum(predicted_pair_count) as predicted_pair_count,
        sum(true_positive_pair_count) as true_positive_pair_count
    from per_source_pair
    group by scope
),

record_counts as (
    select
        scope,
        count(*) as record_count,
        count(distinct person_id) as person_count,
        count(distinct predicted_cluster) as cluster_count
    from scoped
    group by scope
),

unioned as (
    select * from overall
    union all
    select * from per_source_pair
),

final as (
    select
        unioned.scope,
        unioned.left_source,
        unioned.right_source,
        case when unioned.left_source = 'all' then record_counts.record_count end as record_count,
        case when unioned.left_source = 'all' then record_counts.person_count end as person_count,
        case when unioned.left_source = 'all' then record_counts.cluster_count end as cluster_count,
        unioned.true_pair_count,
        unioned.predicted_pair_count,
        unioned.true_positive_pair_count,
        unioned.true_positive_pair_count * 1.0 / nullif(unioned.predicted_pair_count, 0) as pairwise_precision,
        unioned.true_positive_pair_count * 1.0 / nullif(unioned.true_pair_count, 0) as pairwise_recall,
        2.0 * unioned.true_positive_pair_count
        / nullif(unioned.predicted_pair_count + unioned.true_pair_count, 0) as pairwise_f1
    from unioned
    inner join record_counts
        on unioned.scope = record_counts.scope
)

select * from final
