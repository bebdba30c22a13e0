{#-
  How each touchpoint record (order, receipt, ticket, web visitor, consent decision, erasure request) joins
  the graph. A touchpoint attaches to ONE profile cluster: through its identifier of best priority
  (identity_identifier_types.link_priority) whose value profile records carry; when several clusters carry
  that value (a household's landline, a borrowed e-mail), to the cluster where most profile records carry it
  (then the smallest cluster id), never to several: attaching to all would merge the household. The link
  points at the cluster's first profile record carrying the value (anchor). A touchpoint no profile claims
  links to the other unclaimed touchpoints sharing any of its linking identifiers (a guest's orders).
-#}

with

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

profile_clusters as (
    select * from {{ ref('int_identity_profile_clusters') }}
),

linking_identifiers as (
    select
        identifiers.record_key,
        identifiers.identifier_type,
        identifiers.identifier_value,
        guarded_values.link_priority,
        records.is_profile
    from identifiers
    inner join guarded_values
        on
            identifiers.identifier_type = guarded_values.identifier_type
            and identifiers.identifier_value = guarded_values.identifier_value
    inner join records
        on identifiers.record_key = records.record_key
),

value_owners_ranked as (
    select
        linking_identifiers.identifier_type,
        linking_identifiers.identifier_value,
        profile_clusters.component_id as profile_cluster_id,
        min(linking_identifiers.record_key) as anchor_record_key,
        count(*) as profile_record_count,
        row_number() over (
            partition by linking_identifiers.identifier_type, linking_identifiers.identifier_value
            order by count(*) desc, profile_clusters.component_id
        ) as owner_rank,
        count(*) over (
            partition by linking_identifiers.identifier_type, linking_identifiers.identifier_value
        ) as owner_cluster_count
    from linking_identifiers
    inner join profile_clusters
        on linking_identifiers.record_key = profile_clusters.node_id
    where linking_identifiers.is_profile
    group by linking_identifiers.identifier_type, linking_identifiers.identifier_value, profile_clusters.component_id
),

value_owners as (
    select * from value_owners_ranked
    where owner_rank = 1
),

touchpoint_claims_ranked as (
    select
        linking_identifiers.record_key,
        linking_identifiers.identifier_type,
        value_owners.profile_cluster_id,
        value_owners.anchor_record_key,
        value_owners.owner_cluster_count,
        row_number() over (
            partition by linking_identifiers.record_key
            order by
                linking_identifiers.link_priority,
                value_owners.profile_record_count desc,
                value_owners.profile_cluster_id
        ) as claim_rank
    from linking_identifiers
    inner join value_owners
        on
            linking_identifiers.identifier_type = value_owners.identifier_type
            and linking_identifiers.identifier_value = value_owners.identifier_value
    where not linking_identifiers.is_profile
),

attached as (
    select
        record_key,
        anchor_record_key as linked_record_key,
        'attached_to_profile' as link_type,
        identifier_type,
        owner_cluster_count
    from touchpoint_claims_ranked
    where claim_rank = 1
),

unclaimed_identifiers as (
    select linking_identifiers.*
    from linking_identifiers
    left join attached
        on linking_identifiers.record_key = attached.record_key
    where not linking_identifiers.is_profile and attached.record_key is null
),

unclaimed_groups as (
    select
        identifier_type,
        identifier_value,
        min(record_key) as anchor_record_key
    from unclaimed_identifiers
    group by identifier_type, identifier_value
),

shared_unclaimed as (
    select
        unclaimed_identifiers.record_key,
        unclaimed_groups.anchor_record_key as linked_record_key,
        'shared_with_touchpoint' as link_type,
        unclaimed_identifiers.identifier_type,
        1 as owner_cluster_count
    from unclaimed_identifiers
    inner join unclaimed_groups
        on
            unclaimed_identifiers.identifier_type = unclaimed_groups.identifier_type
            and unclaimed_identifiers.identifier_value = unclaimed_groups.identifier_value
),

final as (
    select * from attached
    union all
    select * from shared_unclaimed
)

select * from final
