{#-
  Every link of the identity graph, with why it exists: probabilistic matches between profile records
  (blocking rule that found the pair, match weight and probability; not those an identifier limit cut) and identifier links of touchpoint
  records (identifier type; how many profile clusters carried the value, > 1 when the link had to pick one).
  Customer clusters are the connected components of these edges (int_identity_clusters).
-#}

with

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

touchpoint_links as (
    select * from {{ ref('int_identity_touchpoint_links') }}
),

final as (
    {#- The smaller record key first (pairs are ordered by profile id, a hash). #}
    select
        least(left_record_key, right_record_key) as record_key,
        greatest(left_record_key, right_record_key) as linked_record_key,
        'probabilistic_match' as edge_type,
        blocking_rule as rule_name,
        match_weight,
        match_probability,
        cast(null as {{ dbt.type_int() }}) as competing_cluster_count
    from kept_matches

    union all

    select
        record_key,
        linked_record_key,
        link_type as edge_type,
        identifier_type as rule_name,
        cast(null as {{ dbt.type_float() }}) as match_weight,
        cast(null as {{ dbt.type_float() }}) as match_probability,
        owner_cluster_count as competing_cluster_count
    from touchpoint_links
)

select * from final
