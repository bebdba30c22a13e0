{#-
  Every record of a customer with the values it offers to the golden record (int_customers_golden), in one
  shape whatever the source: display values next to their matching keys. A value is only offered when it is
  usable: standardised (staging nulls what it could not read) and not junk (a name or e-mail/phone the
  identity layer blocks, e.g. 'test', noemail@..., +33600000000), so a placeholder can never win.
  Profiles offer names, birth date, e-mail, phone, address, country and language; touchpoints offer what they
  carry: orders an e-mail, phone and shipping postcode, city and country, tickets an e-mail and phone,
  receipts and web forms an e-mail. One row per record of int_identity_customer_ids.
-#}

with

customer_ids as (
    select * from {{ ref('int_identity_customer_ids') }}
),

records as (
    select * from {{ ref('int_identity_records') }}
),

guarded_values as (
    select * from {{ ref('int_identifier_values_guarded') }}
),

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

blocked_values as (
    select
        identifier_type,
        identifier_value
    from guarded_values
    where guard_decision = 'blocked_value'
),

-- A web visitor offers the last e-mail it typed into a form.
web_form_emails_ranked as (
    select
        anonymous_id,
        form_email,
        form_email_normalized,
        row_number() over (
            partition by anonymous_id order by occurred_at desc nulls last, {{ cdp.binary_order('event_id') }} asc
        ) as recency_rank
    from web_events
    where anonymous_id is not null and form_email is not null and form_email_normalized is not null
),

web_form_emails as (
    select * from web_form_emails_ranked
    where recency_rank = 1
),

record_values as (
    -- CRM contacts: the mobile first (it reaches the person, a landline often the household), else the landline.
    select
        'crm_contacts' as source_table,
        contact_id as record_id,
        first_name,
        last_name,
        birth_date,
        email,
        email_normalized,
        mobile_phone_e164 as phone_e164,
        phone_e164 as fallback_phone_e164,
        street_address,
        address_key,
        postal_code,
        city,
        city_key,
        country_code,
        preferred_language
    from crm_contacts

    union all

    select
        'shop_customers' as source_table,
        customer_id as record_id,
        first_name,
        last_name,
        birth_date,
        email,
        email_normalized,
        phone_e164,
        cast(null as {{ dbt.type_string() }}) as fallback_phone_e164,
        street_address,
        address_key,
        postal_code,
        city,
        city_key,
        country_code,
        cast(null as {{ dbt.type_string() }}) as preferred_language
    from shop_customers

    union all

    select
        'loyalty_members' as source_table,
        loyalty_card_id as record_id,
        first_name,
        last_name,
        birth_date,
        email,
        email_normalized,
        phone_e164,
        cast(null as {{ dbt.type_string() }}) as fallback_phone_e164,
        cast(null as {{ dbt.type_string() }}) as street_address,
        cast(null as {{ dbt.type_string() }}) as address_key,
        postal_code,
        city,
        city_key,
        country_code,
        cast(null as {{ dbt.type_string() }}) as preferred_language
    from loyalty_members

    union all

    select
        'shop_orders' as source_table,
        order_id as record_id,
        cast(null as {{ dbt.type_string() }}) as first_name,
        cast(null as {{ dbt.type_string() }}) as last_name,
        cast(null as date) as birth_date,
        email,
        email_normalized,
        phone_e164,
        cast(null as {{ dbt.type_string() }}) as fallback_phone_e164,
        cast(null as {{ dbt.type_string() }}) as street_address,
        cast(null as {{ dbt.type_string() }}) as address_key,
        shipping_postal_code as postal_code,
        shipping_city as city,
        shipping_city_key as city_key,
        shipping_country_code as country_code,
        cast(null as {{ dbt.type_string() }}) as preferred_language
    from shop_orders

    union all

    select
        'pos_transactions' as source_table,
        transaction_id as record_id,
        cast(null as {{ dbt.type_string() }}) as first_name,
        cast(null as {{ dbt.type_string() }}) as last_name,
        cast(null as date) as birth_date,
        receipt_email as email,
        receipt_email_normalized as email_normalized,
        cast(null as {{ dbt.type_string() }}) as phone_e164,
        cast(null as {{ dbt.type_string() }}) as fallback_phone_e164,
        cast(null as {{ dbt.type_string() }}) as street_address,
        cast(null as {{ dbt.type_string() }}) as address_key,
        cast(null as {{ dbt.type_string() }}) as postal_code,
        cast(null as {{ dbt.type_string() }}) as city,
        cast(null as {{ dbt.type_string() }}) as city_key,
        cast(null as {{ dbt.type_string() }}) as country_code,
        cast(null as {{ dbt.type_string() }}) as preferred_language
    from pos_transactions

    union all

    select
        'support_tickets' as source_table,
        ticket_id as record_id,
        cast(null as {{ dbt.type_string() }}) as first_name,
        cast(null as {{ dbt.type_string() }}) as last_name,
        cast(null as date) as birth_date,
        requester_email as email,
        requester_email_normalized as email_normalized,
        requester_phone_e164 as phone_e164,
        cast(null as {{ dbt.type_string() }}) as fallback_phone_e164,
        cast(null as {{ dbt.type_string() }}) as street_address,
        cast(null as {{ dbt.type_string() }}) as address_key,
        cast(null as {{ dbt.type_string() }}) as postal_code,
        cast(null as {{ dbt.type_string() }}) as city,
        cast(null as {{ dbt.type_string() }}) as city_key,
        cast(null as {{ dbt.type_string() }}) as country_code,
        cast(null as {{ dbt.type_string() }}) as preferred_language
    from support_tickets

    union all

    select
        'web_anonymous_ids' as source_table,
        anonymous_id as record_id,
        cast(null as {{ dbt.type_string() }}) as first_name,
        cast(null as {{ dbt.type_string() }}) as last_name,
        cast(null as date) as birth_date,
        form_email as email,
        form_email_normalized as email_normalized,
        cast(null as {{ dbt.type_string() }}) as phone_e164,
        cast(null as {{ dbt.type_string() }}) as fallback_phone_e164,
        cast(null as {{ dbt.type_string() }}) as street_address,
        cast(null as {{ dbt.type_string() }}) as address_key,
        cast(null as {{ dbt.type_string() }}) as postal_code,
        cast(null as {{ dbt.type_string() }}) as city,
        cast(null as {{ dbt.type_string() }}) as city_key,
        cast(null as {{ dbt.type_string() }}) as country_code,
        cast(null as {{ dbt.type_string() }}) as preferred_language
    from web_form_emails
),

customer_records as (
    select
        customer_ids.customer_id,
        customer_ids.record_key,
        records.source_table,
        records.record_id,
        records.is_profile,
        records.observed_at,
        -- int_identity_records blanks the name keys of placeholder names ('test', 'client', 'monsieur').
        records.first_name_key,
        records.last_name_key
    from customer_ids
    inner join records
        on customer_ids.record_key = records.record_key
),

final as (
    select
        customer_records.customer_id,
        customer_records.record_key,
        customer_records.source_table,
        customer_records.record_id,
        customer_records.is_profile,
        customer_records.observed_at,
        case when customer_records.first_name_key is not null then record_values.first_name end as first_name,
        case when record_values.first_name is not null then customer_records.first_name_key end as first_name_key,
        case when customer_records.last_name_key is not null then record_values.last_name end as last_name,
        case when record_values.last_name is not null then customer_records.last_name_key end as last_name_key,
        record_values.birth_date,
        case
            when blocked_emails.identifier_value is null and record_values.email_normalized is not null
                then record_values.email
        end as email,
        case
            when blocked_emails.identifier_value is null and record_values.email is not null
                then record_values.email_normalized
        end as email_normalized,
        case
            when blocked_phones.identifier_value is null and record_values.phone_e164 is not null
                then record_values.phone_e164
            when blocked_fallback_phones.identifier_value is null then record_values.fallback_phone_e164
        end as phone_e164,
        record_values.street_address,
        case when record_values.street_address is not null then record_values.address_key end as address_key,
        record_values.postal_code,
        record_values.city,
        case when record_values.city is not null then record_values.city_key end as city_key,
        record_values.country_code,
        record_values.preferred_language
    from customer_records
    left join record_values
        on
            customer_records.source_table = record_values.source_table
            and customer_records.record_id = record_values.record_id
    left join blocked_values as blocked_emails
        on
            blocked_emails.identifier_type = 'email'
            and record_values.email_normalized = blocked_emails.identifier_value
    left join blocked_values as blocked_phones
        on
            blocked_phones.identifier_type = 'phone'
            and record_values.phone_e164 = blocked_phones.identifier_value
    left join blocked_values as blocked_fallback_phones
        on
            blocked_fallback_phones.identifier_type = 'phone'
            and record_values.fallback_phone_e164 = blocked_fallback_phones.identifier_value
)

select * from final
