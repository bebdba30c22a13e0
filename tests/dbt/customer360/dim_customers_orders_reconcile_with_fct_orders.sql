{#-
  No fan-out between the facts and the Customer 360: purchases and revenue summed over dim_customers equal
  those of fct_orders' attributed orders up to the as-of date. Fails with both sides when they differ.
-#}

with

orders as (
    select * from {{ ref('fct_orders') }}
),

customers as (
    select * from {{ ref('dim_customers') }}
),

as_of as (
    select * from {{ ref('int_customer360_as_of') }}
),

from_orders as (
    select
        sum(case when orders.is_purchase then 1 else 0 end) as purchase_count,
        coalesce(sum(orders.recognised_revenue_reporting), 0) as revenue
    from orders
    cross join as_of
    where orders.customer_id is not null and orders.order_date <= as_of.as_of_date
),

from_customers as (
    select
        sum(order_count) as purchase_count,
        coalesce(sum(total_revenue), 0) as revenue
    from customers
),

final as (
    select
        from_orders.purchase_count as fct_orders_purchases,
        from_customers.purchase_count as dim_customers_purchases,
        from_orders.revenue as fct_orders_revenue,
        from_customers.revenue as dim_customers_revenue
    from from_orders
    cross join from_customers
    where
        coalesce(from_orders.purchase_count, 0) != coalesce(from_customers.purchase_count, 0)
        or from_orders.revenue != from_customers.revenue
)

select * from final
