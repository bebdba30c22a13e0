with

source as (
    {{ cdp.select_source_columns('loyalty', 'members') }}
),

with_country as (
    select
        *,
        {{ cdp.standardize_country('country') }} as country_code
    from source
),

final as (
    select
        {{ cdp.clean_text('loyalty_card_id') }} as loyalty_card_id,
        {{ cdp.person_name_columns('first_name') }},
        {{ cdp.person_name_columns('last_name') }},
        {{ cdp.email_columns('email') }},
        {{ cdp.phone_columns('phone', 'country_code') }},
        {{ cdp.date_columns('birth_date') }},
        {{ cdp.postcode_columns('postal_code', 'country_code') }},
        {{ cdp.clean_text('city') }} as city,
        {{ cdp.city_match_key('city') }} as city_key,
        {{ cdp.country_columns('country', 'country_code') }},
        {{ cdp.clean_text('home_store_id') }} as home_store_id,
        {{ cdp.lower_code('tier') }} as tier,
        {{ cdp.timestamp_columns('enrolled_at', cdp.source_timezone('loyalty')) }}
    from with_country
)

select * from final
