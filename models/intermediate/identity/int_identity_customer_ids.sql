{#-
  The current customer id of every record of the identity graph: its latest assignment in
  int_identity_customer_id_history, for the records the graph holds today.
-#}

with

clusters as (
    select * from {{ ref('int_identity_clusters') }}
),

history as (
    select * from {{ ref('int_identity_customer_id_history') }}
),

latest_assignments as (
    select
        record_key,
        customer_id,
        assigned_at
    from (
        select
            record_key,
            customer_id,
            assigned_at,
            row_number() over (partition by record_key order by assigned_at desc, customer_id asc) as recency_rank
        from history
    ) as ranked
    where recency_rank = 1
),

final as (
    select
        clusters.node_id as record_key,
        {{ dbt.split_part('clusters.node_id', "':'", 1) }} as source_table,
        latest_assignments.customer_id,
        clusters.component_id,
        latest_assignments.assigned_at as customer_id_assigned_at
    from clusters
    inner join latest_assignments
        on clusters.node_id = latest_assignments.record_key
)

select * from final
