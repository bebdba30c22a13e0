{#-
  The identifier graph in long form: every identifier every person-linked record carries, standardised
  (emails in matching form, phones in E.164), one row per (record, identifier type, value). Which types
  link records, and in what priority, is in the seed identity_identifier_types.
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

identifier_types as (
    select * from {{ ref('identity_identifier_types') }}
),

web_visitor_identifiers as (
    select
        anonymous_id,
        user_id,
        form_email_normalized,
        max(occurred_at) as last_seen_at
    from web_events
    where anonymous_id is not null
    group by anonymous_id, user_id, form_email_normalized
),

unioned as (
    {{ cdp.identifier_rows('crm_contacts', 'crm_contacts', 'contact_id', 'coalesce(updated_at, created_at)', [
        ['crm_contact_id', 'contact_id'],
        ['email', 'email_normalized'],
        ['phone', 'phone_e164'],
        ['phone', 'mobile_phone_e164'],
    ]) }}
    union all
    {{ cdp.identifier_rows('shop_customers', 'shop_customers', 'customer_id', 'coalesce(updated_at, created_at)', [
        ['shop_customer_id', 'customer_id'],
        ['email', 'email_normalized'],
        ['phone', 'phone_e164'],
    ]) }}
    union all
    {{ cdp.identifier_rows('loyalty_members', 'loyalty_members', 'loyalty_card_id', 'enrolled_at', [
        ['loyalty_card_id', 'loyalty_card_id'],
        ['email', 'email_normalized'],
        ['phone', 'phone_e164'],
    ]) }}
    union all
    {{ cdp.identifier_rows('shop_orders', 'shop_orders', 'order_id', 'coalesce(updated_at, ordered_at)', [
        ['shop_customer_id', 'customer_id'],
        ['email', 'email_normalized'],
        ['phone', 'phone_e164'],
    ]) }}
    union all
    {{ cdp.identifier_rows('pos_transactions', 'pos_transactions', 'transaction_id', 'transaction_at', [
        ['loyalty_card_id', 'loyalty_card_id'],
        ['email', 'receipt_email_normalized'],
    ]) }}
    union all
    {{ cdp.identifier_rows('support_tickets', 'support_tickets', 'ticket_id', 'created_at', [
        ['email', 'requester_email_normalized'],
        ['phone', 'requester_phone_e164'],
    ]) }}
    union all
    {{ cdp.identifier_rows('web_visitor_identifiers', 'web_anonymous_ids', 'anonymous_id', 'last_seen_at', [
        ['web_anonymous_id', 'anonymous_id'],
        ['shop_customer_id', 'user_id'],
        ['email', 'form_email_normalized'],
    ]) }}
    union all
    {{ cdp.identifier_rows('consent_events', 'consent_events', 'consent_event_id', 'occurred_at', [
        ['(subject_type)', 'subject_value'],
    ]) }}
    union all
    {{ cdp.identifier_rows('erasure_requests', 'privacy_erasure_requests', 'request_id', 'requested_at', [
        ['(subject_type)', 'subject_value'],
    ]) }}
),

deduplicated as (
    select
        source_table,
        record_id,
        identifier_type,
        identifier_value,
        max(observed_at) as observed_at
    from unioned
    group by source_table, record_id, identifier_type, identifier_value
),

final as (
    select
        {{ dbt.concat(['deduplicated.source_table', "':'", 'deduplicated.record_id']) }} as record_key,
        deduplicated.source_table,
        deduplicated.record_id,
        deduplicated.identifier_type,
        deduplicated.identifier_value,
        deduplicated.observed_at,
        identifier_types.identifier_type is not null as is_known_type
    from deduplicated
    left join identifier_types
        on deduplicated.identifier_type = identifier_types.identifier_type
)

select * from final
