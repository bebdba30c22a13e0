with

source as (
    {{ cdp.select_source_columns('shop', 'order_lines') }}
),

final as (
    select
        {{ cdp.clean_text('order_line_id') }} as order_line_id,
        {{ cdp.clean_text('order_id') }} as order_id,
        {{ cdp.clean_text('product_id') }} as product_id,
        quantity as quantity_raw,
        {{ cdp.parse_integer('quantity') }} as quantity,
        {{ cdp.money_columns('unit_price') }},
        {{ cdp.money_columns('line_discount_amount') }}
    from source
)

select * from final
