{#-
  First pass: profile records grouped by every matching pair (every profile record is a node, a lone record
  its own cluster), by profile id: component_id is the smallest profile id of the cluster. Clusters over a
  per-customer identifier limit are split by int_identity_limit_cuts; int_identity_profile_clusters is the
  final pass, by record key.
-#}

{{ config(materialized='connected_components', max_iterations=40, node_ids='integer') }}

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
        profile_id as node_id,
        profile_id as linked_node_id
    from profiles
    union all
    select
        left_profile_id as node_id,
        right_profile_id as linked_node_id
    from matches
)

select * from final
