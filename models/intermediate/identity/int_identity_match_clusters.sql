{#-
  First pass: profile records grouped by every matching pair (every profile record is a node, a lone record
  its own cluster). component_id is the smallest record key of the cluster. Clusters over a per-customer
  identifier limit are split by int_identity_limit_cuts; int_identity_profile_clusters is the final pass.
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
