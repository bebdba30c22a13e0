{#-
  Shop order lines and till receipt lines in one shape, with the product's name, category and brand from the
  shop catalogue (stg_shop__products; the tills sell the same catalogue) and their order's customer, channel
  and status. One row per source line. line_revenue is quantity x unit price less the line's own discount
  (an order-level discount is not spread over lines); a returned item has a negative quantity.
-#}

with

shop_order_lines as (
    select * from {{ ref('stg_shop__order_lines') }}
),

pos_transaction_lines as (
    select * from {{ ref('stg_pos__transaction_lines') }}
),

products as (
    select * from {{ ref('stg_shop__products') }}
),

orders as (
    select * from {{ ref('int_orders_unioned') }}
),

unioned as (
    select
        {{ cdp.record_key('shop_order_lines', 'order_line_id') }} as order_line_id,
        'shop_order_lines' as source_table,
        order_line_id as source_order_line_id,
        {{ cdp.record_key('shop_orders', 'order_id') }} as order_id,
        product_id,
        quantity,
        unit_price,
        line_discount_amount
    from shop_order_lines

    union all

    select
        {{ cdp.record_key('pos_transaction_lines', 'transaction_line_id') }} as order_line_id,
        'pos_transaction_lines' as source_table,
        transaction_line_id as source_order_line_id,
        {{ cdp.record_key('pos_transactions', 'transaction_id') }} as order_id,
        product_id,
        quantity,
        unit_price,
        cast(null as {{ cdp.type_money() }}) as line_discount_amount
    from pos_transaction_lines
),

final as (
    select
        unioned.order_line_id,
        unioned.source_table,
        unioned.source_order_line_id,
        unioned.order_id,
        orders.channel,
        orders.customer_id,
        orders.ordered_at,
        orders.order_date,
        orders.is_cancelled,
        orders.is_purchase,
        unioned.product_id,
        products.product_name,
        products.category,
        products.subcategory,
        products.brand,
        cast(unioned.quantity as {{ dbt.type_bigint() }}) as quantity,
        cast(unioned.unit_price as {{ cdp.type_money() }}) as unit_price,
        cast(unioned.line_discount_amount as {{ cdp.type_money() }}) as line_discount_amount,
        cast(
            unioned.quantity * unioned.unit_price - coalesce(unioned.line_discount_amount, 0)
            as {{ cdp.type_money() }}
        ) as line_revenue,
        orders.currency
    from unioned
    left join orders
        on unioned.order_id = orders.order_id
    left join products
        on unioned.product_id = products.product_id
)

select * from final
