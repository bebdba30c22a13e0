with

source as (
    {{ cdp.select_source_columns('shop', 'customers') }}
),

with_country as (
    select
        *,
        {{ cdp.standardize_country('country_code') }} as standardized_country_code
    from source
),

final as (
    select
        {{ cdp.clean_text('customer_id') }} as customer_id,
        {{ cdp.email_columns('email') }},
        {{ cdp.person_name_columns('first_name') }},
        {{ cdp.person_name_columns('last_name') }},
        {{ cdp.phone_columns('phone', 'standardized_country_code') }},
        {{ cdp.date_columns('birth_date') }},
        {{ cdp.clean_text('street_address') }} as street_address,
        {{ cdp.address_match_key('street_address') }} as address_key,
        {{ cdp.postcode_columns('postal_code', 'standardized_country_code') }},
        {{ cdp.clean_text('city') }} as city,
        {{ cdp.city_match_key('city') }} as city_key,
        {{ cdp.country_columns('country_code', 'standardized_country_code') }},
        accepts_marketing as accepts_marketing_raw,
        {{ cdp.parse_boolean('accepts_marketing') }} as is_accepting_marketing,
        {{ cdp.timestamp_columns('created_at', cdp.source_timezone('shop')) }},
        {{ cdp.timestamp_columns('updated_at', cdp.source_timezone('shop')) }}
    from with_country
)

select * from final
