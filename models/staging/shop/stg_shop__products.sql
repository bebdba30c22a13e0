with

source as (
    {{ cdp.select_source_columns('shop', 'products') }}
),

final as (
    select
        {{ cdp.clean_text('product_id') }} as product_id,
        {{ cdp.clean_text('sku') }} as sku,
        {{ cdp.clean_text('product_name') }} as product_name,
        {{ cdp.clean_text('category') }} as category,
        {{ cdp.clean_text('subcategory') }} as subcategory,
        {{ cdp.clean_text('brand') }} as brand,
        {{ cdp.money_currency('list_price', 'currency') }} as currency,
        {{ cdp.money_columns('list_price') }},
        {{ cdp.timestamp_columns('created_at', cdp.source_timezone('shop')) }}
    from source
)

select * from final
