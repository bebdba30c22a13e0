{#-
  Monthly acquisition cohorts for BI: customers grouped by the month of their first purchase, followed month by
  month up to the as-of month. One row per (cohort month, months since the first purchase), months without a
  purchase included: buyers of the cohort who purchased that month, retention rate, the cohort's recognised
  revenue (reporting currency, net of refunds and returns) and cumulative revenue per customer of the cohort.
  Internal and test accounts (dim_customers.is_test_account) are left out.
-#}

with

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
        cast({{ dbt.date_trunc('month', 'first_order_date') }} as date) as cohort_month
    from customers
    where first_order_date is not null and not is_test_account
),

cohorts as (
    select
        cohort_month,
        count(*) as cohort_size
    from buyers
    group by cohort_month
),

bounds as (
    select
        min(cohorts.cohort_month) as first_date,
        max(as_of.as_of_date) as last_date
    from cohorts
    cross join as_of
),

days as (
    {{ cdp.date_spine('bounds', 'first_date', 'last_date') }}
),

months as (
    select distinct cast({{ dbt.date_trunc('month', 'date_day') }} as date) as activity_month
    from days
),

{# A buyer's orders from their first purchase month on (earlier ones are cancelled orders before buying). #}
buyer_months as (
    select
        buyers.cohort_month,
        cast({{ dbt.date_trunc('month', 'orders.order_date') }} as date) as activity_month,
        buyers.customer_id,
        max(case when orders.is_purchase then 1 else 0 end) as has_purchase,
        sum(orders.recognised_revenue_reporting) as revenue
    from orders
    inner join buyers
        on orders.customer_id = buyers.customer_id
    cross join as_of
    where
        orders.order_date <= as_of.as_of_date
        and orders.order_date >= buyers.cohort_month
    group by
        buyers.cohort_month,
        cast({{ dbt.date_trunc('month', 'orders.order_date') }} as date),
        buyers.customer_id
),

cohort_months as (
    select
        cohort_month,
        activity_month,
        sum(has_purchase) as active_buyers,
        sum(revenue) as revenue
    from buyer_months
    group by cohort_month, activity_month
),

grid as (
    select
        cohorts.cohort_month,
        months.activity_month,
        cohorts.cohort_size,
        coalesce(cohort_months.active_buyers, 0) as active_buyers,
        coalesce(cohort_months.revenue, 0) as revenue
    from cohorts
    inner join months
        on cohorts.cohort_month <= months.activity_month
    left join cohort_months
        on
            cohorts.cohort_month = cohort_months.cohort_month
            and months.activity_month = cohort_months.activity_month
),

cumulated as (
    select
        grid.*,
        sum(grid.revenue) over (
            partition by grid.cohort_month
            order by grid.activity_month rows between unbounded preceding and current row
        ) as cumulative_revenue
    from grid
),

final as (
    select
        cohort_month,
        cast({{ dbt.datediff('cohort_month', 'activity_month', 'month') }} as {{ dbt.type_int() }})
            as months_since_first_purchase,
        activity_month,
        cast(cohort_size as {{ dbt.type_bigint() }}) as cohort_size,
        cast(active_buyers as {{ dbt.type_bigint() }}) as active_buyers,
        cast(active_buyers as {{ cdp.type_double() }}) / cohort_size as retention_rate,
        cast(revenue as {{ cdp.type_money() }}) as revenue,
        cast(cumulative_revenue as {{ cdp.type_money() }}) as cumulative_revenue,
        {{ cdp.divide_money('cumulative_revenue', 'cohort_size') }} as cumulative_revenue_per_customer,
        cast('{{ cdp.reporting_currency() }}' as {{ dbt.type_string() }}) as reporting_currency
    from cumulated
)

select * from final
