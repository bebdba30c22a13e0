{#-
  How each touchpoint record (order, receipt, ticket, web visitor, consent decision, erasure request) joins
  the graph. A touchpoint attaches to ONE profile cluster among those carrying one of its linking values:
  the one carrying most of its values, then through the best identifier priority
  (identity_identifier_types.link_priority), then the one with a record carrying the value created within
  cdp_identity_capture_window_hours of the touchpoint (captured together), then the one using the contested
  values most (its profile records and the touchpoints only it claims: the owner of an e-mail a relative
  borrowed), then where most profile records carry the value, then the smallest cluster id. Never to several:
  a household's landline or a relative's borrowed e-mail would merge the household. The link points at the cluster's first profile record carrying the touchpoint's
  best-priority value (anchor); owner_cluster_count says how many clusters competed.
  A touchpoint also bridges its cluster to the one other profile cluster carrying one of its personal
  values (a mobile, or an account or card id: values only one profile record may carry), e.g. an order placed
  from an account with the mobile of a loyalty card (bridged_profile_clusters); e-mails and landlines never
  bridge. A cluster that shares only a landline with the touchpoint (a household's, or of unknown kind) does
  not claim it when the touchpoint gives an e-mail no profile carries while the cluster has e-mails of its
  own (a relative giving the family phone).
  Identifiers seen together on one touchpoint bridge: a touchpoint attached without competition (a visitor
  who logged in to their shop account and typed an e-mail in a form) lends its other values, those no
  profile carries, to its cluster; a touchpoint no profile claims but that carries such a value, lent to one
  cluster only, joins that cluster through it (bridged_through_touchpoint). A touchpoint still unclaimed links
  to the other unclaimed touchpoints sharing any of its linking identifiers (a guest's orders).
-#}

{%- set capture_window_hours = var('cdp_identity_capture_window_hours', 24) %}

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
        guarded_values.max_profiles_per_value,
        guarded_values.is_mobile_phone,
        records.is_profile,
        records.created_at
    from identifiers
    inner join guarded_values
        on
            identifiers.identifier_type = guarded_values.identifier_type
            and identifiers.identifier_value = guarded_values.identifier_value
    inner join records
        on identifiers.record_key = records.record_key
),

{# Every profile cluster carrying each linking value, with how many of its profile records carry it. #}
value_carriers as (
    select
        linking_identifiers.identifier_type,
        linking_identifiers.identifier_value,
        profile_clusters.component_id as profile_cluster_id,
        min(linking_identifiers.record_key) as anchor_record_key,
        count(*) as profile_record_count,
        count(*) over (
            partition by linking_identifiers.identifier_type, linking_identifiers.identifier_value
        ) as carrier_cluster_count
    from linking_identifiers
    inner join profile_clusters
        on linking_identifiers.record_key = profile_clusters.node_id
    where linking_identifiers.is_profile
    group by linking_identifiers.identifier_type, linking_identifiers.identifier_value, profile_clusters.component_id
),

{# A touchpoint's candidate clusters: those carrying any of its values. The cluster carrying the most of
    them wins (an order whose e-mail two relatives share but whose phone only one of them has goes to that
    one), then the best identifier priority, then the cluster where most profile records carry the value. #}
shared_value_candidates as (
    select
        linking_identifiers.record_key,
        value_carriers.profile_cluster_id,
        count(*) as shared_value_count,
        sum(
            case
                when
                    linking_identifiers.identifier_type = 'phone'
                    and not coalesce(linking_identifiers.is_mobile_phone, false)
                    then 0
                else 1
            end
        ) as personal_shared_value_count,
        min(linking_identifiers.link_priority) as best_link_priority,
        max(value_carriers.profile_record_count) as carrying_record_count,
        max(value_carriers.carrier_cluster_count) as competing_cluster_count
    from linking_identifiers
    inner join value_carriers
        on
            linking_identifiers.identifier_type = value_carriers.identifier_type
            and linking_identifiers.identifier_value = value_carriers.identifier_value
    where not linking_identifiers.is_profile
    group by linking_identifiers.record_key, value_carriers.profile_cluster_id
),

clusters_with_email as (
    select distinct profile_cluster_id
    from value_carriers
    where identifier_type = 'email'
),

touchpoints_with_unknown_email as (
    select distinct linking_identifiers.record_key
    from linking_identifiers
    left join value_carriers
        on
            linking_identifiers.identifier_type = value_carriers.identifier_type
            and linking_identifiers.identifier_value = value_carriers.identifier_value
    where
        not linking_identifiers.is_profile
        and linking_identifiers.identifier_type = 'email'
        and value_carriers.identifier_value is null
),

{# A cluster sharing only a landline with the touchpoint (a household's, or of unknown kind) does not claim it
    when the touchpoint gives an e-mail no profile carries and the cluster has e-mails of its own: that is a
    relative giving the family phone with their own address. #}
touchpoint_candidates as (
    select shared_value_candidates.*
    from shared_value_candidates
    left join touchpoints_with_unknown_email
        on shared_value_candidates.record_key = touchpoints_with_unknown_email.record_key
    left join clusters_with_email
        on shared_value_candidates.profile_cluster_id = clusters_with_email.profile_cluster_id
    where not (
        shared_value_candidates.personal_shared_value_count = 0
        and touchpoints_with_unknown_email.record_key is not null
        and clusters_with_email.profile_cluster_id is not null
    )
),

{# Clusters with a record carrying one of the touchpoint's values created within
    cdp_identity_capture_window_hours of the touchpoint: the decision or purchase was captured by the form or
    visit that created that record (a CRM contact's phone opt-in, ticked when the contact was entered). Between
    relatives who all carry a household landline or a shared e-mail, that is the one who was there. #}
captured_together as (
    select
        touchpoint_identifiers.record_key,
        profile_clusters.component_id as profile_cluster_id
    from linking_identifiers as touchpoint_identifiers
    inner join linking_identifiers as profile_identifiers
        on
            touchpoint_identifiers.identifier_type = profile_identifiers.identifier_type
            and touchpoint_identifiers.identifier_value = profile_identifiers.identifier_value
            and profile_identifiers.is_profile
    inner join profile_clusters
        on profile_identifiers.record_key = profile_clusters.node_id
    where
        not touchpoint_identifiers.is_profile
        and touchpoint_identifiers.created_at
        >= {{ dbt.dateadd('hour', '-' ~ capture_window_hours, 'profile_identifiers.created_at') }}
        and touchpoint_identifiers.created_at
        <= {{ dbt.dateadd('hour', capture_window_hours, 'profile_identifiers.created_at') }}
    group by touchpoint_identifiers.record_key, profile_clusters.component_id
),

{# Usage of each value per cluster: its profile records carrying it plus the touchpoints carrying it that
    go to that cluster on their other identifiers alone (more shared values or a better identifier: an order
    placed from the shop account). A value several clusters carry (a relative's borrowed e-mail, a household
    landline) is used most by its owner, who gives it on every order, not once. #}
candidate_strengths as (
    select
        record_key,
        profile_cluster_id,
        rank() over (
            partition by record_key
            order by shared_value_count desc, best_link_priority asc
        ) as strength_rank,
        count(*) over (partition by record_key, shared_value_count, best_link_priority) as tied_count
    from touchpoint_candidates
),

uncontested_touchpoints as (
    select
        record_key,
        profile_cluster_id
    from candidate_strengths
    where strength_rank = 1 and tied_count = 1
),

value_usage as (
    select
        value_carriers.identifier_type,
        value_carriers.identifier_value,
        value_carriers.profile_cluster_id,
        max(value_carriers.profile_record_count) + count(uncontested_touchpoints.record_key) as usage_count
    from value_carriers
    left join linking_identifiers
        on
            value_carriers.identifier_type = linking_identifiers.identifier_type
            and value_carriers.identifier_value = linking_identifiers.identifier_value
            and not linking_identifiers.is_profile
    left join uncontested_touchpoints
        on
            linking_identifiers.record_key = uncontested_touchpoints.record_key
            and value_carriers.profile_cluster_id = uncontested_touchpoints.profile_cluster_id
    where value_carriers.carrier_cluster_count > 1
    group by value_carriers.identifier_type, value_carriers.identifier_value, value_carriers.profile_cluster_id
),

touchpoint_usage as (
    select
        linking_identifiers.record_key,
        value_usage.profile_cluster_id,
        sum(value_usage.usage_count) as usage_count
    from linking_identifiers
    inner join value_usage
        on
            linking_identifiers.identifier_type = value_usage.identifier_type
            and linking_identifiers.identifier_value = value_usage.identifier_value
    where not linking_identifiers.is_profile
    group by linking_identifiers.record_key, value_usage.profile_cluster_id
),

touchpoint_choices as (
    select
        touchpoint_candidates.record_key,
        touchpoint_candidates.profile_cluster_id,
        touchpoint_candidates.competing_cluster_count,
        row_number() over (
            partition by touchpoint_candidates.record_key
            order by
                touchpoint_candidates.shared_value_count desc,
                touchpoint_candidates.best_link_priority asc,
                case when captured_together.record_key is not null then 0 else 1 end asc,
                coalesce(touchpoint_usage.usage_count, 0) desc,
                touchpoint_candidates.carrying_record_count desc,
                touchpoint_candidates.profile_cluster_id asc
        ) as choice_rank,
        count(*) over (partition by touchpoint_candidates.record_key) as candidate_cluster_count
    from touchpoint_candidates
    left join touchpoint_usage
        on
            touchpoint_candidates.record_key = touchpoint_usage.record_key
            and touchpoint_candidates.profile_cluster_id = touchpoint_usage.profile_cluster_id
    left join captured_together
        on
            touchpoint_candidates.record_key = captured_together.record_key
            and touchpoint_candidates.profile_cluster_id = captured_together.profile_cluster_id
),

{# The link points at the chosen cluster's first record carrying the touchpoint's best-priority value. #}
attached_ranked as (
    select
        touchpoint_choices.record_key,
        value_carriers.anchor_record_key,
        linking_identifiers.identifier_type,
        touchpoint_choices.candidate_cluster_count,
        row_number() over (
            partition by touchpoint_choices.record_key
            order by
                linking_identifiers.link_priority asc,
                linking_identifiers.identifier_type asc,
                value_carriers.anchor_record_key asc
        ) as anchor_rank
    from touchpoint_choices
    inner join linking_identifiers
        on touchpoint_choices.record_key = linking_identifiers.record_key
    inner join value_carriers
        on
            linking_identifiers.identifier_type = value_carriers.identifier_type
            and linking_identifiers.identifier_value = value_carriers.identifier_value
            and touchpoint_choices.profile_cluster_id = value_carriers.profile_cluster_id
    where touchpoint_choices.choice_rank = 1
),

attached as (
    select
        record_key,
        anchor_record_key as linked_record_key,
        'attached_to_profile' as link_type,
        identifier_type,
        candidate_cluster_count as owner_cluster_count
    from attached_ranked
    where anchor_rank = 1
),

{# A touchpoint carrying a personal value (a mobile, or an id only one profile record may carry: an account,
    a card) that one profile cluster other than its own carries bridges that cluster to its own: an order
    placed from an account giving the mobile of a loyalty card, a browser logged in to two accounts. E-mails
    and landlines never bridge: relatives borrow e-mails and households share landlines. #}
other_personal_carriers as (
    select
        linking_identifiers.record_key,
        value_carriers.profile_cluster_id,
        value_carriers.anchor_record_key,
        linking_identifiers.identifier_type,
        linking_identifiers.link_priority,
        count(*) over (
            partition by
                linking_identifiers.record_key,
                linking_identifiers.identifier_type,
                linking_identifiers.identifier_value
        ) as other_cluster_count
    from touchpoint_choices
    inner join linking_identifiers
        on touchpoint_choices.record_key = linking_identifiers.record_key
    inner join value_carriers
        on
            linking_identifiers.identifier_type = value_carriers.identifier_type
            and linking_identifiers.identifier_value = value_carriers.identifier_value
    where
        touchpoint_choices.choice_rank = 1
        and value_carriers.profile_cluster_id <> touchpoint_choices.profile_cluster_id
        and (linking_identifiers.max_profiles_per_value = 1 or coalesce(linking_identifiers.is_mobile_phone, false))
),

personal_bridge_candidates as (
    select
        record_key,
        anchor_record_key,
        identifier_type,
        row_number() over (
            partition by record_key, profile_cluster_id
            order by link_priority asc, identifier_type asc, anchor_record_key asc
        ) as bridge_rank
    from other_personal_carriers
    where other_cluster_count = 1
),

personal_bridges as (
    select
        record_key,
        anchor_record_key as linked_record_key,
        'bridged_profile_clusters' as link_type,
        identifier_type,
        1 as owner_cluster_count
    from personal_bridge_candidates
    where bridge_rank = 1
),

{# Values of uncontested attached touchpoints that no profile carries, lent to the touchpoint's cluster. #}
lent_values as (
    select
        linking_identifiers.identifier_type,
        linking_identifiers.identifier_value,
        touchpoint_choices.profile_cluster_id,
        min(linking_identifiers.record_key) as anchor_record_key,
        count(*) over (
            partition by linking_identifiers.identifier_type, linking_identifiers.identifier_value
        ) as lending_cluster_count
    from touchpoint_choices
    inner join linking_identifiers
        on touchpoint_choices.record_key = linking_identifiers.record_key
    left join value_carriers
        on
            linking_identifiers.identifier_type = value_carriers.identifier_type
            and linking_identifiers.identifier_value = value_carriers.identifier_value
    where
        touchpoint_choices.choice_rank = 1
        and touchpoint_choices.candidate_cluster_count = 1
        and value_carriers.identifier_value is null
    group by
        linking_identifiers.identifier_type,
        linking_identifiers.identifier_value,
        touchpoint_choices.profile_cluster_id
),

{# Unclaimed touchpoints carrying lent values: joined when all their lent values point to one cluster. #}
bridge_candidates as (
    select
        linking_identifiers.record_key,
        lent_values.profile_cluster_id,
        lent_values.anchor_record_key,
        linking_identifiers.identifier_type,
        linking_identifiers.link_priority
    from linking_identifiers
    inner join lent_values
        on
            linking_identifiers.identifier_type = lent_values.identifier_type
            and linking_identifiers.identifier_value = lent_values.identifier_value
    left join attached
        on linking_identifiers.record_key = attached.record_key
    where
        not linking_identifiers.is_profile
        and attached.record_key is null
        and lent_values.lending_cluster_count = 1
),

single_cluster_bridges as (
    select record_key
    from bridge_candidates
    group by record_key
    having count(distinct profile_cluster_id) = 1
),

ranked_bridges as (
    select
        bridge_candidates.record_key,
        bridge_candidates.anchor_record_key,
        bridge_candidates.identifier_type,
        row_number() over (
            partition by bridge_candidates.record_key
            order by
                bridge_candidates.link_priority,
                bridge_candidates.identifier_type,
                bridge_candidates.anchor_record_key
        ) as bridge_rank
    from bridge_candidates
    inner join single_cluster_bridges
        on bridge_candidates.record_key = single_cluster_bridges.record_key
),

bridged as (
    select
        record_key,
        anchor_record_key as linked_record_key,
        'bridged_through_touchpoint' as link_type,
        identifier_type,
        1 as owner_cluster_count
    from ranked_bridges
    where bridge_rank = 1
),

unclaimed_identifiers as (
    select linking_identifiers.*
    from linking_identifiers
    left join attached
        on linking_identifiers.record_key = attached.record_key
    left join bridged
        on linking_identifiers.record_key = bridged.record_key
    where
        not linking_identifiers.is_profile
        and attached.record_key is null
        and bridged.record_key is null
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
    select * from personal_bridges
    union all
    select * from bridged
    union all
    select * from shared_unclaimed
)

select * from final
