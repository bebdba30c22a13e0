{#-
  Stable customer ids, kept in the warehouse between runs: an append-only history of (record, customer id)
  assignments; a record gets a row when it first appears or when its customer id changes.

  Each run matches the new clusters (int_identity_clusters) with the ids their records had:
  - a cluster and a previous id that are each other's best overlap (most shared records, then smallest id)
    keep that id; a second round gives the clusters left the previous id they share most records with among
    those still free (so after a merge the bigger previous customer's id survives, after a split the bigger
    part keeps the id);
  - any other cluster gets a new id derived from its smallest record key (and, for the part split off an
    existing customer, that customer's id), so rebuilding the same data from scratch gives the same ids.
  Never rebuilt by --full-refresh (full_refresh: false): the ids are the contract with every destination.
-#}

{{ config(materialized='incremental', full_refresh=false, on_schema_change='fail') }}

with

clusters as (
    select * from {{ ref('int_identity_clusters') }}
),

previous_assignments as (
    {%- if is_incremental() %}
        select
            record_key,
            customer_id
        from (
            select
                record_key,
                customer_id,
                row_number() over (partition by record_key order by assigned_at desc, customer_id asc) as recency_rank
            from {{ this }}
        ) as ranked
        where recency_rank = 1
    {%- else %}
        select
            cast(null as {{ dbt.type_string() }}) as record_key,
            cast(null as {{ dbt.type_string() }}) as customer_id
        where 1 = 0
    {%- endif %}
),

cluster_overlaps as (
    select
        clusters.component_id,
        previous_assignments.customer_id as previous_customer_id,
        count(*) as shared_record_count
    from clusters
    inner join previous_assignments
        on clusters.node_id = previous_assignments.record_key
    group by clusters.component_id, previous_assignments.customer_id
),

overlaps_ranked as (
    select
        *,
        row_number() over (
            partition by component_id order by shared_record_count desc, previous_customer_id asc
        ) as rank_for_cluster,
        row_number() over (
            partition by previous_customer_id order by shared_record_count desc, component_id asc
        ) as rank_for_previous_id
    from cluster_overlaps
),

kept_first_round as (
    select
        component_id,
        previous_customer_id as customer_id
    from overlaps_ranked
    where rank_for_cluster = 1 and rank_for_previous_id = 1
),

second_round_candidates as (
    select
        cluster_overlaps.*,
        row_number() over (
            partition by cluster_overlaps.component_id
            order by cluster_overlaps.shared_record_count desc, cluster_overlaps.previous_customer_id asc
        ) as rank_for_cluster,
        row_number() over (
            partition by cluster_overlaps.previous_customer_id
            order by cluster_overlaps.shared_record_count desc, cluster_overlaps.component_id asc
        ) as rank_for_previous_id
    from cluster_overlaps
    left join kept_first_round as cluster_done
        on cluster_overlaps.component_id = cluster_done.component_id
    left join kept_first_round as id_done
        on cluster_overlaps.previous_customer_id = id_done.customer_id
    where cluster_done.component_id is null and id_done.customer_id is null
),

kept_second_round as (
    select
        component_id,
        previous_customer_id as customer_id
    from second_round_candidates
    where rank_for_cluster = 1 and rank_for_previous_id = 1
),

kept as (
    select * from kept_first_round
    union all
    select * from kept_second_round
),

best_previous as (
    select
        component_id,
        previous_customer_id
    from overlaps_ranked
    where rank_for_cluster = 1
),

cluster_ids as (
    select
        components.component_id,
        coalesce(
            kept.customer_id,
            {{ cdp.new_customer_id('components.component_id', 'best_previous.previous_customer_id') }}
        ) as customer_id
    from (select distinct component_id from clusters) as components
    left join kept
        on components.component_id = kept.component_id
    left join best_previous
        on components.component_id = best_previous.component_id
),

final as (
    select
        clusters.node_id as record_key,
        cluster_ids.customer_id,
        previous_assignments.customer_id as previous_customer_id,
        {{ cdp.run_started_at_timestamp() }} as assigned_at,
        {{ cdp.invocation_id_literal() }} as invocation_id
    from clusters
    inner join cluster_ids
        on clusters.component_id = cluster_ids.component_id
    left join previous_assignments
        on clusters.node_id = previous_assignments.record_key
    where previous_assignments.customer_id is null or previous_assignments.customer_id <> cluster_ids.customer_id
)

select * from final
