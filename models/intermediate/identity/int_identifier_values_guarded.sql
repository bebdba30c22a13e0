{#-
  Over-merge guards, one row per distinct (identifier type, value): how many records and profile records
  carry it, and whether it may link records. A value does not link when it is junk (seed
  identity_blocked_values: exact values or regular expressions per field), when more profile records carry it
  than its type allows (a shop's own phone typed into every form, a shared family e-mail), or when its type
  is not a linking type. guard_decision says which. is_mobile_phone tells a personal mobile from a landline or
  a number of unknown kind (seed identity_mobile_phone_prefixes), which a household may share.
-#}

with

identifiers as (
    select * from {{ ref('int_identifiers_unioned') }}
),

records as (
    select * from {{ ref('int_identity_records') }}
),

identifier_types as (
    select * from {{ ref('identity_identifier_types') }}
),

blocked_values as (
    select * from {{ ref('identity_blocked_values') }}
),

mobile_phone_prefixes as (
    select * from {{ ref('identity_mobile_phone_prefixes') }}
),

value_counts as (
    select
        identifiers.identifier_type,
        identifiers.identifier_value,
        count(*) as record_count,
        sum(case when records.is_profile then 1 else 0 end) as profile_record_count,
        min(identifiers.observed_at) as first_observed_at,
        max(identifiers.observed_at) as last_observed_at
    from identifiers
    inner join records
        on identifiers.record_key = records.record_key
    group by identifiers.identifier_type, identifiers.identifier_value
),

blocked_matches as (
    {{ cdp.identity_blocked_matches('value_counts', 'blocked_values', ref('identity_blocked_values')) }}
),

{# A mobile is one person's; a landline (or a number of unknown kind) may be a whole household's. #}
mobile_phones as (
    select distinct value_counts.identifier_value
    from value_counts
    inner join mobile_phone_prefixes
        on value_counts.identifier_value like {{ dbt.concat(['mobile_phone_prefixes.e164_prefix', "'%'"]) }}
    where value_counts.identifier_type = 'phone'
),

final as (
    select
        value_counts.identifier_type,
        value_counts.identifier_value,
        value_counts.record_count,
        value_counts.profile_record_count,
        value_counts.first_observed_at,
        value_counts.last_observed_at,
        identifier_types.link_priority,
        identifier_types.max_profiles_per_value,
        blocked_matches.blocked_reason,
        case
            when value_counts.identifier_type = 'phone' then mobile_phones.identifier_value is not null
        end as is_mobile_phone,
        case
            when identifier_types.identifier_type is null or not identifier_types.is_linking
                then 'not_a_linking_type'
            when blocked_matches.blocked_reason is not null then 'blocked_value'
            when value_counts.profile_record_count > identifier_types.max_profiles_per_value
                then 'too_many_profiles'
            else 'link'
        end as guard_decision
    from value_counts
    left join identifier_types
        on value_counts.identifier_type = identifier_types.identifier_type
    left join blocked_matches
        on
            value_counts.identifier_type = blocked_matches.identifier_type
            and value_counts.identifier_value = blocked_matches.identifier_value
    left join mobile_phones
        on
            value_counts.identifier_type = 'phone'
            and value_counts.identifier_value = mobile_phones.identifier_value
)

select * from final
