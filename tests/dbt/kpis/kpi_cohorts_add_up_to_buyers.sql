{#-
  Every buyer is in exactly one cohort: the cohort sizes add up to dim_customers' buyers (internal and test
  accounts aside), and the cohorts' revenue to the revenue of those buyers' orders from their first purchase
  month to the as-of date. Fails with both sides when they differ.
-#}

with

cohort_rows as (
    select * from {{ ref('kpi_cohort_retention') }}
),

customers as (
    select * from {{ ref('dim_customers') }}
),

orders as (
    select * from {{ ref('fct_orders') }}
),

as_of as (
    select * from {{ ref('int_customer360_as_of') }}
),

buyers as (
    select
        customer_id,
        first_order_date
    from customers
    where first_order_date is not null and not is_test_account
),

from_cohorts as (
    select
        sum(case when months_since_first_purchase = 0 then cohort_size else 0 end) as buyer_count,
        sum(revenue) as revenue
    from cohort_rows
),

from_buyers as (
    select count(*) as buyer_count
    from buyers
),

from_orders as (
    select coalesce(sum(orders.recognised_revenue_reporting), 0) as revenue
    from orders
    inner join buyers
        on orders.customer_id = buyers.customer_id
    cross join as_of
    where
        orders.order_date <= as_of.as_of_date
        and orders.order_date >= cast({{ dbt.date_trunc('month', 'buyers.first_order_date') }} as date)
),

final as (
    select
        from_cohorts.buyer_count as cohort_buyers,
        from_buyers.buyer_count as dim_customers_buyers,
        from_cohorts.revenue as cohort_revenue,
        from_orders.revenue as fct_orders_revenue
    from from_cohorts
    cross join from_buyers
    cross join from_orders
    where
        from_cohorts.buyer_count != from_buyers.buyer_count
        or from_cohorts.revenue != from_orders.revenue
)

select * from final
