{#-
  The Customer 360: one row per customer (every customer_id of identity resolution), what marketers, BI and
  activation read. Golden attributes (int_customers_golden), identifiers, lifecycle stage and RFM scores,
  purchases, web engagement, support, category affinity, preferred channel and store, and current consent per
  channel, each from its intermediate model; is_test_account marks internal and test accounts (the global
  suppression list's internal_account entries), which the KPI marts and segments leave out. Traits are as of
  as_of_date (var cdp_as_of_date, default the day of the latest event).

  Erased customers (an erasure request reached them through identity) keep their row with is_erased = true, so
  activation removes them from every destination and segments exclude them, but every personal value is null
  here: names, birth date, e-mail, phone, address, country, language and identifier lists. Their consent is
  never granted. The model's contract is enforced: names and types of the columns are checked on every build.
-#}

{#- Personal data: null for an erased customer. -#}
{%- set golden_personal_columns = [
    'first_name', 'last_name', 'birth_date', 'email', 'email_normalized', 'phone_e164',
    'street_address', 'postal_code', 'city', 'country_code', 'preferred_language',
] %}
{%- set identifier_list_columns = [
    'emails', 'phones', 'crm_contact_ids', 'shop_customer_ids', 'loyalty_card_ids', 'web_anonymous_ids',
] %}
{%- set identifier_count_columns = [
    'email_count', 'phone_count', 'crm_contact_id_count', 'shop_customer_id_count', 'loyalty_card_id_count',
    'web_anonymous_id_count', 'identifier_count',
] %}

with

customers as (
    select * from {{ ref('int_customers_golden') }}
),

erased_customers as (
    select * from {{ ref('int_customers_erased') }}
),

globally_suppressed as (
    select * from {{ ref('int_customers_globally_suppressed') }}
),

identifiers as (
    select * from {{ ref('int_customer_identifiers') }}
),

lifecycle_stages as (
    select * from {{ ref('int_customer_lifecycle_stages') }}
),

order_traits as (
    select * from {{ ref('int_customer_order_traits') }}
),

web_traits as (
    select * from {{ ref('int_customer_web_traits') }}
),

support_traits as (
    select * from {{ ref('int_customer_support_traits') }}
),

consents as (
    select * from {{ ref('int_customer_consents') }}
),

as_of as (
    select * from {{ ref('int_customer360_as_of') }}
),

consents_by_channel as (
    select
        {%- for channel in cdp.consent_channels() %}
            max(case when channel = '{{ channel }}' then consent_status end) as {{ channel }}_consent_status,
            max(case when channel = '{{ channel }}' and has_consent then 1 else 0 end) = 1
                as has_{{ channel }}_consent,
            max(case when channel = '{{ channel }}' then decided_at end) as {{ channel }}_consent_decided_at,
            max(case when channel = '{{ channel }}' then decision_collected_via end)
                as {{ channel }}_consent_collected_via,
        {%- endfor %}
        customer_id
    from consents
    group by customer_id
),

final as (
    select
        cast(customers.customer_id as {{ dbt.type_string() }}) as customer_id,
        coalesce(erased_customers.is_erased, false) as is_erased,
        coalesce(globally_suppressed.is_internal_account, false) as is_test_account,
        cast(erased_customers.first_erasure_requested_at as {{ dbt.type_timestamp() }}) as erasure_requested_at,

        {%- for column in golden_personal_columns %}
            {%- set data_type = 'date' if column == 'birth_date' else dbt.type_string() %}
            cast(
                case when erased_customers.customer_id is null then customers.{{ column }} end as {{ data_type }}
            ) as {{ column }},
        {%- endfor %}
        cast(customers.record_count as {{ dbt.type_bigint() }}) as record_count,
        cast(customers.source_tables as {{ dbt.type_string() }}) as source_tables,
        cast(customers.first_seen_at as {{ dbt.type_timestamp() }}) as first_seen_at,
        cast(customers.last_seen_at as {{ dbt.type_timestamp() }}) as last_seen_at,

        {%- for column in identifier_count_columns %}
            cast(coalesce(identifiers.{{ column }}, 0) as {{ dbt.type_bigint() }}) as {{ column }},
        {%- endfor %}
        {%- for column in identifier_list_columns %}
            cast(
                case when erased_customers.customer_id is null then identifiers.{{ column }} end
                as {{ dbt.type_string() }}
            ) as {{ column }},
        {%- endfor %}

        cast(lifecycle_stages.lifecycle_stage as {{ dbt.type_string() }}) as lifecycle_stage,
        cast(lifecycle_stages.recency_score as {{ dbt.type_int() }}) as recency_score,
        cast(lifecycle_stages.frequency_score as {{ dbt.type_int() }}) as frequency_score,
        cast(lifecycle_stages.monetary_score as {{ dbt.type_int() }}) as monetary_score,
        cast(lifecycle_stages.rfm_score as {{ dbt.type_string() }}) as rfm_score,
        cast(lifecycle_stages.days_since_last_order as {{ dbt.type_int() }}) as days_since_last_order,

        cast(coalesce(order_traits.order_count, 0) as {{ dbt.type_bigint() }}) as order_count,
        cast(coalesce(order_traits.online_order_count, 0) as {{ dbt.type_bigint() }}) as online_order_count,
        cast(coalesce(order_traits.offline_order_count, 0) as {{ dbt.type_bigint() }}) as offline_order_count,
        cast(coalesce(order_traits.total_revenue, 0) as {{ cdp.type_money() }}) as total_revenue,
        cast(coalesce(order_traits.online_revenue, 0) as {{ cdp.type_money() }}) as online_revenue,
        cast(coalesce(order_traits.offline_revenue, 0) as {{ cdp.type_money() }}) as offline_revenue,
        cast(order_traits.average_order_value as {{ cdp.type_money() }}) as average_order_value,
        cast('{{ cdp.reporting_currency() }}' as {{ dbt.type_string() }}) as reporting_currency,
        cast(order_traits.first_order_date as date) as first_order_date,
        cast(order_traits.last_order_date as date) as last_order_date,
        cast(order_traits.preferred_channel as {{ dbt.type_string() }}) as preferred_channel,
        cast(order_traits.preferred_store_id as {{ dbt.type_string() }}) as preferred_store_id,
        cast(order_traits.preferred_store_name as {{ dbt.type_string() }}) as preferred_store_name,
        cast(order_traits.top_bought_category as {{ dbt.type_string() }}) as top_bought_category,
        cast(order_traits.top_bought_categories as {{ dbt.type_string() }}) as top_bought_categories,

        cast(coalesce(web_traits.session_count, 0) as {{ dbt.type_bigint() }}) as session_count,
        cast(coalesce(web_traits.page_view_count, 0) as {{ dbt.type_bigint() }}) as page_view_count,
        {%- for days in [7, 30, 90] %}
            cast(coalesce(web_traits.sessions_{{ days }}d, 0) as {{ dbt.type_bigint() }}) as sessions_{{ days }}d,
            cast(coalesce(web_traits.page_views_{{ days }}d, 0) as {{ dbt.type_bigint() }}) as page_views_{{ days }}d,
        {%- endfor %}
        cast(web_traits.last_visit_at as {{ dbt.type_timestamp() }}) as last_visit_at,
        cast(web_traits.top_viewed_category as {{ dbt.type_string() }}) as top_viewed_category,
        cast(web_traits.top_viewed_categories as {{ dbt.type_string() }}) as top_viewed_categories,

        cast(coalesce(support_traits.ticket_count, 0) as {{ dbt.type_bigint() }}) as ticket_count,
        cast(coalesce(support_traits.open_ticket_count, 0) as {{ dbt.type_bigint() }}) as open_ticket_count,
        cast(support_traits.last_contact_at as {{ dbt.type_timestamp() }}) as last_contact_at,
        cast(support_traits.average_satisfaction_score as decimal(4, 2)) as average_satisfaction_score,

        {%- for channel in cdp.consent_channels() %}
            cast(consents_by_channel.{{ channel }}_consent_status as {{ dbt.type_string() }})
                as {{ channel }}_consent_status,
            coalesce(consents_by_channel.has_{{ channel }}_consent, false) as has_{{ channel }}_consent,
            cast(consents_by_channel.{{ channel }}_consent_decided_at as {{ dbt.type_timestamp() }})
                as {{ channel }}_consent_decided_at,
            cast(consents_by_channel.{{ channel }}_consent_collected_via as {{ dbt.type_string() }})
                as {{ channel }}_consent_collected_via,
        {%- endfor %}

        cast(as_of.as_of_date as date) as as_of_date
    from customers
    cross join as_of
    left join erased_customers
        on customers.customer_id = erased_customers.customer_id
    left join globally_suppressed
        on customers.customer_id = globally_suppressed.customer_id
    left join identifiers
        on customers.customer_id = identifiers.customer_id
    left join lifecycle_stages
        on customers.customer_id = lifecycle_stages.customer_id
    left join order_traits
        on customers.customer_id = order_traits.customer_id
    left join web_traits
        on customers.customer_id = web_traits.customer_id
    left join support_traits
        on customers.customer_id = support_traits.customer_id
    left join consents_by_channel
        on customers.customer_id = consents_by_channel.customer_id
)

select * from final
