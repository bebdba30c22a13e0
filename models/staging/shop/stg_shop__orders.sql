with

source as (
    {{ cdp.select_source_columns('shop', 'orders') }}
),

with_country as (
    select
        *,
        {{ cdp.standardize_country('shipping_country_code') }} as standardized_shipping_country_code
    from source
),

final as (
    select
        {{ cdp.clean_text('order_id') }} as order_id,
        {{ cdp.clean_text('customer_id') }} as customer_id,
        {{ cdp.email_columns('email') }},
        {{ cdp.phone_columns('phone', 'standardized_shipping_country_code') }},
        {{ cdp.lower_code('status') }} as status,
        {{ cdp.money_currency('total_amount', 'currency') }} as currency,
        {{ cdp.money_columns('total_amount') }},
        {{ cdp.money_columns('discount_amount') }},
        {{ cdp.money_columns('shipping_amount') }},
        {{ cdp.postcode_columns('shipping_postal_code', 'standardized_shipping_country_code') }},
        {{ cdp.clean_text('shipping_city') }} as shipping_city,
        {{ cdp.city_match_key('shipping_city') }} as shipping_city_key,
        {{ cdp.country_columns('shipping_country_code', 'standardized_shipping_country_code', 'shipping_country') }},
        {{ cdp.timestamp_columns('ordered_at', cdp.source_timezone('shop')) }},
        {{ cdp.timestamp_columns('updated_at', cdp.source_timezone('shop')) }}
    from with_country
)

select * from final
