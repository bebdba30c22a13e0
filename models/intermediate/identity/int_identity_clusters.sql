{#-
  Every record of the identity graph with its cluster: connected components of int_identity_edges plus
  every profile record (a profile nothing matched is a cluster of one). component_id is the smallest record
  key of the cluster; int_identity_customer_ids turns clusters into stable customer ids.
-#}

{{ config(materialized='connected_components', max_iterations=40) }}

with

profiles as (
    select * from {{ ref('int_identity_profiles') }}
),

edges as (
    select * from {{ ref('int_identity_edges') }}
),

final as (
    select
        record_key as node_id,
        record_key as linked_node_id
    from profiles
    union all
    select
        record_key as node_id,
        linked_record_key as linked_node_id
    from edges
)

select * from final
