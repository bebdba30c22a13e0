{#-
  Online shop orders and in-store till receipts in one shape, each with its customer (identity resolution of
  its own record: 'shop_orders:<order_id>', 'pos_transactions:<transaction_id>'). One row per source order or
  receipt, nothing dropped: cancelled and refunded orders and till returns stay, flagged, so counts reconcile
  with the sources.

  Money, in the order's own currency:
    order_total_amount   what the customer was charged (shop: merchandise net of discounts, plus shipping)
    order_revenue        merchandise net of every discount, shipping excluded; a till return is negative
    recognised_revenue   order_revenue, but 0 for a cancelled or refunded order: what the business keeps
  and recognised_revenue_reporting, the latter converted to the reporting currency (var cdp_exchange_rates).
-#}

with

shop_orders as (
    select * from {{ ref('stg_shop__orders') }}
),

shop_order_lines as (
    select * from {{ ref('stg_shop__order_lines') }}
),

pos_transactions as (
    select * from {{ ref('stg_pos__transactions') }}
),

pos_transaction_lines as (
    select * from {{ ref('stg_pos__transaction_lines') }}
),

customer_ids as (
    select * from {{ ref('int_identity_customer_ids') }}
),

shop_order_line_totals as (
    select
        order_id,
        count(*) as line_count,
        sum(quantity) as item_count,
        sum(coalesce(line_discount_amount, 0)) as line_discount_amount
    from shop_order_lines
    group by order_id
),

pos_transaction_line_totals as (
    select
        transaction_id,
        count(*) as line_count,
        sum(quantity) as item_count
    from pos_transaction_lines
    group by transaction_id
),

{# Tills spell a store's name differently or not at all: its most frequent name stands for it. #}
store_names_ranked as (
    select
        store_id,
        store_name,
        row_number() over (
            partition by store_id order by count(*) desc, {{ cdp.binary_order('store_name') }} asc
        ) as name_rank
    from pos_transactions
    where store_id is not null and store_name is not null
    group by store_id, store_name
),

store_names as (
    select
        store_id,
        store_name
    from store_names_ranked
    where name_rank = 1
),

online_orders as (
    select
        {{ cdp.record_key('shop_orders', 'shop_orders.order_id') }} as order_id,
        'shop_orders' as source_table,
        shop_orders.order_id as source_order_id,
        'online' as channel,
        shop_orders.ordered_at,
        coalesce(shop_orders.status, 'unknown') as order_status,
        shop_orders.currency,
        shop_orders.total_amount as order_total_amount,
        coalesce(shop_orders.discount_amount, 0)
        + coalesce(shop_order_line_totals.line_discount_amount, 0) as discount_amount,
        shop_orders.shipping_amount,
        shop_orders.total_amount - coalesce(shop_orders.shipping_amount, 0) as order_revenue,
        shop_order_line_totals.line_count,
        shop_order_line_totals.item_count,
        cast(null as {{ dbt.type_string() }}) as store_id,
        cast(null as {{ dbt.type_string() }}) as store_name,
        cast(null as {{ dbt.type_string() }}) as payment_method
    from shop_orders
    left join shop_order_line_totals
        on shop_orders.order_id = shop_order_line_totals.order_id
),

offline_orders as (
    select
        {{ cdp.record_key('pos_transactions', 'pos_transactions.transaction_id') }} as order_id,
        'pos_transactions' as source_table,
        pos_transactions.transaction_id as source_order_id,
        'offline' as channel,
        pos_transactions.transaction_at as ordered_at,
        {# A receipt with a negative total gives money back: a return (an exchange nets to its difference). #}
        case when pos_transactions.total_amount < 0 then 'returned' else 'completed' end as order_status,
        pos_transactions.currency,
        pos_transactions.total_amount as order_total_amount,
        cast(null as {{ cdp.type_money() }}) as discount_amount,
        cast(null as {{ cdp.type_money() }}) as shipping_amount,
        pos_transactions.total_amount as order_revenue,
        pos_transaction_line_totals.line_count,
        pos_transaction_line_totals.item_count,
        pos_transactions.store_id,
        store_names.store_name,
        pos_transactions.payment_method
    from pos_transactions
    left join pos_transaction_line_totals
        on pos_transactions.transaction_id = pos_transaction_line_totals.transaction_id
    left join store_names
        on pos_transactions.store_id = store_names.store_id
),

unioned as (
    select * from online_orders
    union all
    select * from offline_orders
),

classified as (
    select
        *,
        order_status = 'cancelled' as is_cancelled,
        order_status = 'refunded' as is_refunded,
        order_status = 'returned' as is_return,
        order_status not in ('cancelled', 'refunded', 'returned') as is_purchase,
        cast(
            case when order_status in ('cancelled', 'refunded') then 0 else order_revenue end
            as {{ cdp.type_money() }}
        ) as recognised_revenue
    from unioned
),

final as (
    select
        classified.order_id,
        classified.source_table,
        classified.source_order_id,
        classified.channel,
        customer_ids.customer_id,
        classified.ordered_at,
        cast(classified.ordered_at as date) as order_date,
        classified.order_status,
        classified.is_cancelled,
        classified.is_refunded,
        classified.is_return,
        classified.is_purchase,
        classified.currency,
        cast(classified.order_total_amount as {{ cdp.type_money() }}) as order_total_amount,
        cast(classified.discount_amount as {{ cdp.type_money() }}) as discount_amount,
        cast(classified.shipping_amount as {{ cdp.type_money() }}) as shipping_amount,
        cast(classified.order_revenue as {{ cdp.type_money() }}) as order_revenue,
        classified.recognised_revenue,
        '{{ cdp.reporting_currency() }}' as reporting_currency,
        {{ cdp.amount_in_reporting_currency('classified.recognised_revenue', 'classified.currency') }}
            as recognised_revenue_reporting,
        cast(classified.line_count as {{ dbt.type_bigint() }}) as line_count,
        cast(classified.item_count as {{ dbt.type_bigint() }}) as item_count,
        classified.store_id,
        classified.store_name,
        classified.payment_method
    from classified
    left join customer_ids
        on classified.order_id = customer_ids.record_key
)

select * from final
