{#-
  kpi_daily loses and doubles nothing: its purchases and revenue (online, offline, all) add up to those of
  fct_orders up to the as-of date without internal and test accounts, its last customers_to_date and
  buyers_to_date to the customers and buyers of dim_customers without them, and its sessions to
  fct_web_sessions'. Fails with both sides when they differ.
-#}

with

daily as (
    select * from {{ ref('kpi_daily') }}
),

orders as (
    select * from {{ ref('fct_orders') }}
),

customers as (
    select * from {{ ref('dim_customers') }}
),

web_sessions as (
    select * from {{ ref('fct_web_sessions') }}
),

as_of as (
    select * from {{ ref('int_customer360_as_of') }}
),

test_accounts as (
    select customer_id from customers
    where is_test_account
),

from_orders as (
    select
        sum(case when orders.is_purchase then 1 else 0 end) as purchase_count,
        coalesce(sum(case when orders.channel = 'online' then orders.recognised_revenue_reporting end), 0)
            as online_revenue,
        coalesce(sum(orders.recognised_revenue_reporting), 0) as revenue
    from orders
    cross join as_of
    left join test_accounts
        on orders.customer_id = test_accounts.customer_id
    where orders.order_date <= as_of.as_of_date and test_accounts.customer_id is null
),

from_customers as (
    select
        count(*) as customer_count,
        sum(case when first_order_date is not null then 1 else 0 end) as buyer_count
    from customers
    where not is_test_account
),

from_sessions as (
    select count(*) as session_count
    from web_sessions
    cross join as_of
    left join test_accounts
        on web_sessions.customer_id = test_accounts.customer_id
    where web_sessions.session_date <= as_of.as_of_date and test_accounts.customer_id is null
),

from_daily as (
    select
        sum(orders) as purchase_count,
        sum(online_revenue) as online_revenue,
        sum(revenue) as revenue,
        max(customers_to_date) as customer_count,
        max(buyers_to_date) as buyer_count,
        sum(web_sessions) as session_count
    from daily
),

final as (
    select
        from_daily.purchase_count as kpi_purchases,
        from_orders.purchase_count as fct_orders_purchases,
        from_daily.online_revenue as kpi_online_revenue,
        from_orders.online_revenue as fct_orders_online_revenue,
        from_daily.revenue as kpi_revenue,
        from_orders.revenue as fct_orders_revenue,
        from_daily.customer_count as kpi_customers,
        from_customers.customer_count as dim_customers_customers,
        from_daily.buyer_count as kpi_buyers,
        from_customers.buyer_count as dim_customers_buyers,
        from_daily.session_count as kpi_sessions,
        from_sessions.session_count as fct_web_sessions_sessions
    from from_daily
    cross join from_orders
    cross join from_customers
    cross join from_sessions
    where
        from_daily.purchase_count != from_orders.purchase_count
        or from_daily.online_revenue != from_orders.online_revenue
        or from_daily.revenue != from_orders.revenue
        or from_daily.customer_count != from_customers.customer_count
        or from_daily.buyer_count != from_customers.buyer_count
        or from_daily.session_count != from_sessions.session_count
)

select * from final
