{#-
  Profile records grouped into clusters: connected components of the matching pairs (every profile record
  is a node, a lone record its own cluster). component_id is the smallest record key of the cluster.
-#}

{{ config(materialized='connected_components', max_iterations=40) }}

with

profiles as (
    select * from {{ ref('int_identity_profiles') }}
),

matches as (
    select * from {{ ref('int_identity_pairs_scored') }}
    where is_match
),

final as (
    select
        record_key as node_id,
        record_key as linked_node_id
    from profiles
    union all
    select
        left_record_key as node_id,
        right_record_key as linked_node_id
    from matches
)

select * from final
