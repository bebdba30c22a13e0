{#-
  One row per person-linked source record, with the person attributes identity resolution compares.
  Profile records (CRM contacts, shop accounts, loyalty members) describe a person and are matched with each
  other; touchpoint records (orders, receipts, tickets, web visitors, consent decisions, erasure requests)
  carry identifiers only and are attached to the profile that owns one of them.
-#}

with

crm_contacts as (
    select * from {{ ref('stg_crm__contacts') }}
),

shop_customers as (
    select * from {{ ref('stg_shop__customers') }}
),

loyalty_members as (
    select * from {{ ref('stg_loyalty__members') }}
),

shop_orders as (
    select * from {{ ref('stg_shop__orders') }}
),

pos_transactions as (
    select * from {{ ref('stg_pos__transactions') }}
),

support_tickets as (
    select * from {{ ref('stg_support__tickets') }}
),

web_events as (
    select * from {{ ref('stg_web__events') }}
),

consent_events as (
    select * from {{ ref('stg_consent__events') }}
),

erasure_requests as (
    select * from {{ ref('stg_privacy__erasure_requests') }}
),

blocked_names as (
    select * from {{ ref('identity_blocked_values') }}
    where field in ('first_name_key', 'last_name_key') and match_type = 'exact'
),

profiles as (
    select
        'crm_contacts' as source_table,
        contact_id as record_id,
        first_name_key,
        last_name_key,
        birth_date,
        email_normalized,
        phone_e164,
        mobile_phone_e164 as other_phone_e164,
        postal_code,
        city_key,
        address_key,
        country_code,
        created_at,
        coalesce(updated_at, created_at) as observed_at
    from crm_contacts

    union all

    select
        'shop_customers' as source_table,
        customer_id as record_id,
        first_name_key,
        last_name_key,
        birth_date,
        email_normalized,
        phone_e164,
        cast(null as {{ dbt.type_string() }}) as other_phone_e164,
        postal_code,
        city_key,
        address_key,
        country_code,
        created_at,
        coalesce(updated_at, created_at) as observed_at
    from shop_customers

    union all

    select
        'loyalty_members' as source_table,
        loyalty_card_id as record_id,
        first_name_key,
        last_name_key,
        birth_date,
        email_normalized,
        phone_e164,
        cast(null as {{ dbt.type_string() }}) as other_phone_e164,
        postal_code,
        city_key,
        cast(null as {{ dbt.type_string() }}) as address_key,
        country_code,
        enrolled_at as created_at,
        enrolled_at as observed_at
    from loyalty_members
),

web_visitors as (
    select
        anonymous_id,
        min(occurred_at) as first_seen_at,
        max(occurred_at) as last_seen_at
    from web_events
    where anonymous_id is not null
    group by anonymous_id
),

touchpoints as (
    select
        'shop_orders' as source_table,
        order_id as record_id,
        ordered_at as created_at,
        coalesce(updated_at, ordered_at) as observed_at
    from shop_orders
    union all
    select
        'pos_transactions' as source_table,
        transaction_id as record_id,
        transaction_at as created_at,
        transaction_at as observed_at
    from pos_transactions
    union all
    select
        'support_tickets' as source_table,
        ticket_id as record_id,
        created_at,
        created_at as observed_at
    from support_tickets
    union all
    select
        'web_anonymous_ids' as source_table,
        anonymous_id as record_id,
        first_seen_at as created_at,
        last_seen_at as observed_at
    from web_visitors
    union all
    select
        'consent_events' as source_table,
        consent_event_id as record_id,
        occurred_at as created_at,
        occurred_at as observed_at
    from consent_events
    union all
    select
        'privacy_erasure_requests' as source_table,
        request_id as record_id,
        requested_at as created_at,
        requested_at as observed_at
    from erasure_requests
),

profiles_cleaned as (
    select
        profiles.source_table,
        profiles.record_id,
        true as is_profile,
        case when blocked_first_names.pattern is null then profiles.first_name_key end as first_name_key,
        case when blocked_last_names.pattern is null then profiles.last_name_key end as last_name_key,
        profiles.birth_date,
        profiles.email_normalized,
        profiles.phone_e164,
        profiles.other_phone_e164,
        profiles.postal_code,
        -- Leading zeros get lost in spreadsheets (01000 -> 1000); the matching key ignores them.
        -- (Not ltrim(x, '0'): Spark's two-argument ltrim takes the characters first.)
        nullif({{ cdp.regexp_replace_all('profiles.postal_code', '^0+', '') }}, '') as postal_code_key,
        profiles.city_key,
        profiles.address_key,
        profiles.country_code,
        profiles.created_at,
        profiles.observed_at
    from profiles
    left join blocked_names as blocked_first_names
        on
            blocked_first_names.field = 'first_name_key'
            and profiles.first_name_key = blocked_first_names.pattern
    left join blocked_names as blocked_last_names
        on
            blocked_last_names.field = 'last_name_key'
            and profiles.last_name_key = blocked_last_names.pattern
),

touchpoints_padded as (
    select
        source_table,
        record_id,
        false as is_profile,
        cast(null as {{ dbt.type_string() }}) as first_name_key,
        cast(null as {{ dbt.type_string() }}) as last_name_key,
        cast(null as date) as birth_date,
        cast(null as {{ dbt.type_string() }}) as email_normalized,
        cast(null as {{ dbt.type_string() }}) as phone_e164,
        cast(null as {{ dbt.type_string() }}) as other_phone_e164,
        cast(null as {{ dbt.type_string() }}) as postal_code,
        cast(null as {{ dbt.type_string() }}) as postal_code_key,
        cast(null as {{ dbt.type_string() }}) as city_key,
        cast(null as {{ dbt.type_string() }}) as address_key,
        cast(null as {{ dbt.type_string() }}) as country_code,
        created_at,
        observed_at
    from touchpoints
),

unioned as (
    select * from profiles_cleaned
    union all
    select * from touchpoints_padded
),

final as (
    select
        {{ dbt.concat(['source_table', "':'", 'record_id']) }} as record_key,
        *
    from unioned
)

select * from final
