{#-
  Every online order and in-store receipt, one row each (int_orders_unioned): what BI, the KPI marts and the
  predictive models read. Holds no personal data beyond the pseudonymous customer_id, so an erased
  customer's orders stay (revenue and counts must still add up) attached to a customer whose personal data
  dim_customers no longer shows.
-#}

with

orders as (
    select * from {{ ref('int_orders_unioned') }}
),

final as (
    select
        order_id,
        source_table,
        source_order_id,
        channel,
        customer_id,
        ordered_at,
        order_date,
        order_status,
        is_cancelled,
        is_refunded,
        is_return,
        is_purchase,
        currency,
        order_total_amount,
        discount_amount,
        shipping_amount,
        order_revenue,
        recognised_revenue,
        reporting_currency,
        recognised_revenue_reporting,
        line_count,
        item_count,
        store_id,
        store_name,
        payment_method
    from orders
)

select * from final
