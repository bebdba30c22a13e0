with

source as (
    {{ cdp.select_source_columns('pos', 'transaction_lines') }}
),

final as (
    select
        {{ cdp.clean_text('transaction_line_id') }} as transaction_line_id,
        {{ cdp.clean_text('transaction_id') }} as transaction_id,
        {{ cdp.clean_text('product_id') }} as product_id,
        quantity as quantity_raw,
        {{ cdp.parse_integer('quantity') }} as quantity,
        {{ cdp.money_columns('unit_price') }}
    from source
)

select * from final
