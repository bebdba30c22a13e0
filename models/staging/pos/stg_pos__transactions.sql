with

source as (
    {{ cdp.select_source_columns('pos', 'transactions') }}
),

final as (
    select
        {{ cdp.clean_text('transaction_id') }} as transaction_id,
        {{ cdp.clean_text('store_id') }} as store_id,
        {{ cdp.clean_text('store_name') }} as store_name,
        {{ cdp.clean_text('loyalty_card_id') }} as loyalty_card_id,
        {{ cdp.email_columns('receipt_email') }},
        {{ cdp.money_currency('total_amount', 'currency') }} as currency,
        {{ cdp.money_columns('total_amount') }},
        {{ cdp.lower_code('payment_method') }} as payment_method,
        {{ cdp.timestamp_columns('transaction_at', cdp.source_timezone('pos')) }}
    from source
)

select * from final
