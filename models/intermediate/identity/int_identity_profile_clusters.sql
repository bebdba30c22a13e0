{#-
  Profile records grouped into clusters: connected components of the matching pairs that no identifier limit
  cut (int_identity_limit_cuts). Every profile record is a node, a lone record its own cluster; component_id
  is the smallest record key of the cluster.
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

limit_cuts as (
    select * from {{ ref('int_identity_limit_cuts') }}
),

kept_matches as (
    select matches.*
    from matches
    left join limit_cuts
        on
            matches.left_record_key = limit_cuts.left_record_key
            and matches.right_record_key = limit_cuts.right_record_key
    where limit_cuts.left_record_key is null
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
    from kept_matches
)

select * from final
