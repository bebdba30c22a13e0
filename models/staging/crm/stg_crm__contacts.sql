with

source as (
    {{ cdp.select_source_columns('crm', 'contacts') }}
),

with_country as (
    select
        *,
        {{ cdp.standardize_country('country') }} as country_code
    from source
),

final as (
    select
        {{ cdp.clean_text('contact_id') }} as contact_id,
        {{ cdp.clean_text('salutation') }} as salutation,
        {{ cdp.person_name_columns('first_name') }},
        {{ cdp.person_name_columns('last_name') }},
        {{ cdp.email_columns('email') }},
        {{ cdp.phone_columns('phone', 'country_code') }},
        {{ cdp.phone_columns('mobile_phone', 'country_code') }},
        {{ cdp.date_columns('birth_date') }},
        {{ cdp.clean_text('street_address') }} as street_address,
        {{ cdp.address_match_key('street_address') }} as address_key,
        {{ cdp.postcode_columns('postal_code', 'country_code') }},
        {{ cdp.clean_text('city') }} as city,
        {{ cdp.city_match_key('city') }} as city_key,
        {{ cdp.country_columns('country', 'country_code') }},
        {{ cdp.lower_code('language') }} as preferred_language,
        {{ cdp.timestamp_columns('created_at', cdp.source_timezone('crm')) }},
        {{ cdp.timestamp_columns('updated_at', cdp.source_timezone('crm')) }}
    from with_country
)

select * from final
