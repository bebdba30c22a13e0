{#-
  Daily KPIs for BI: one row per calendar day from the first activity to the as-of date (int_customer360_as_of),
  days without activity included with zeros. Customers (known to date, new, first-time buyers, buying that day
  and in the last 30 days), purchases and recognised revenue online, offline and in all (reporting currency,
  net of refunds and till returns), web sessions. Internal and test accounts (dim_customers.is_test_account)
  are left out; orders of anonymous receipts count in orders and revenue, not in customers.
-#}

with

customers as (
    select * from {{ ref('dim_customers') }}
),

orders as (
    select * from {{ ref('fct_orders') }}
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

orders_in_scope as (
    select orders.*
    from orders
    cross join as_of
    left join test_accounts
        on orders.customer_id = test_accounts.customer_id
    where orders.order_date <= as_of.as_of_date and test_accounts.customer_id is null
),

sessions_in_scope as (
    select web_sessions.*
    from web_sessions
    cross join as_of
    left join test_accounts
        on web_sessions.customer_id = test_accounts.customer_id
    where web_sessions.session_date <= as_of.as_of_date and test_accounts.customer_id is null
),

{# A customer is known from their first trace: profile or touchpoint record, order, or web session. #}
customer_traces as (
    select
        customer_id,
        cast(first_seen_at as date) as trace_date
    from customers
    where not is_test_account
    union all
    select
        customer_id,
        order_date as trace_date
    from orders_in_scope
    where customer_id is not null
    union all
    select
        customer_id,
        session_date as trace_date
    from sessions_in_scope
),

customer_firsts as (
    select
        customer_traces.customer_id,
        min(customer_traces.trace_date) as first_activity_date,
        max(customers.first_order_date) as first_purchase_date
    from customer_traces
    inner join customers
        on customer_traces.customer_id = customers.customer_id
    group by customer_traces.customer_id
),

{# Anonymous till receipts can predate every customer: the spine starts at whichever comes first. #}
first_dates as (
    select min(first_activity_date) as first_date from customer_firsts
    union all
    select min(order_date) as first_date from orders_in_scope
),

bounds as (
    select
        min(first_dates.first_date) as first_date,
        max(as_of.as_of_date) as last_date
    from first_dates
    cross join as_of
),

days as (
    {{ cdp.date_spine('bounds', 'first_date', 'last_date') }}
),

new_customers_by_day as (
    select
        first_activity_date as date_day,
        count(*) as new_customers
    from customer_firsts
    group by first_activity_date
),

new_buyers_by_day as (
    select
        first_purchase_date as date_day,
        count(*) as new_buyers
    from customer_firsts
    where first_purchase_date is not null
    group by first_purchase_date
),

orders_by_day as (
    select
        order_date as date_day,
        sum(case when is_purchase and channel = 'online' then 1 else 0 end) as online_orders,
        sum(case when is_purchase and channel = 'offline' then 1 else 0 end) as offline_orders,
        sum(case when is_purchase then 1 else 0 end) as orders,
        sum(case when channel = 'online' then recognised_revenue_reporting else 0 end) as online_revenue,
        sum(case when channel = 'offline' then recognised_revenue_reporting else 0 end) as offline_revenue,
        sum(recognised_revenue_reporting) as revenue,
        count(distinct case when is_purchase then customer_id end) as active_customers
    from orders_in_scope
    group by order_date
),

purchase_days as (
    select distinct
        customer_id,
        order_date
    from orders_in_scope
    where is_purchase and customer_id is not null
),

{#
  Active in the last 30 days = bought on one of the 30 days ending that day. Each purchase day covers itself
  and the 29 days after; a customer's overlapping covers merge into spells (gaps and islands), so counting
  the spells open on a day counts distinct customers without joining every day to every purchase.
#}
previous_purchase_days as (
    select
        customer_id,
        order_date,
        lag(order_date) over (partition by customer_id order by order_date) as previous_order_date
    from purchase_days
),

purchase_day_gaps as (
    select
        customer_id,
        order_date,
        case
            when
                previous_order_date is null
                or {{ dbt.datediff('previous_order_date', 'order_date', 'day') }} >= 30
                then 1
            else 0
        end as is_spell_start
    from previous_purchase_days
),

purchase_day_spells as (
    select
        customer_id,
        order_date,
        sum(is_spell_start) over (
            partition by customer_id order by order_date rows between unbounded preceding and current row
        ) as spell_number
    from purchase_day_gaps
),

active_spells as (
    select
        customer_id,
        spell_number,
        min(order_date) as first_active_date,
        max(order_date) as last_purchase_date
    from purchase_day_spells
    group by customer_id, spell_number
),

active_spell_changes as (
    select
        first_active_date as date_day,
        1 as change_in_active
    from active_spells
    union all
    select
        cast({{ dbt.dateadd('day', 30, 'last_purchase_date') }} as date) as date_day,
        -1 as change_in_active
    from active_spells
),

active_changes_by_day as (
    select
        date_day,
        sum(change_in_active) as change_in_active
    from active_spell_changes
    group by date_day
),

sessions_by_day as (
    select
        session_date as date_day,
        count(*) as web_sessions
    from sessions_in_scope
    group by session_date
),

daily as (
    select
        days.date_day,
        coalesce(new_customers_by_day.new_customers, 0) as new_customers,
        coalesce(new_buyers_by_day.new_buyers, 0) as new_buyers,
        coalesce(orders_by_day.active_customers, 0) as active_customers,
        coalesce(active_changes_by_day.change_in_active, 0) as change_in_active,
        coalesce(orders_by_day.online_orders, 0) as online_orders,
        coalesce(orders_by_day.offline_orders, 0) as offline_orders,
        coalesce(orders_by_day.orders, 0) as orders,
        coalesce(orders_by_day.online_revenue, 0) as online_revenue,
        coalesce(orders_by_day.offline_revenue, 0) as offline_revenue,
        coalesce(orders_by_day.revenue, 0) as revenue,
        coalesce(sessions_by_day.web_sessions, 0) as web_sessions
    from days
    left join new_customers_by_day
        on days.date_day = new_customers_by_day.date_day
    left join new_buyers_by_day
        on days.date_day = new_buyers_by_day.date_day
    left join orders_by_day
        on days.date_day = orders_by_day.date_day
    left join active_changes_by_day
        on days.date_day = active_changes_by_day.date_day
    left join sessions_by_day
        on days.date_day = sessions_by_day.date_day
),

final as (
    select
        cast(date_day as date) as date_day,
        cast(
            sum(new_customers) over (order by date_day rows between unbounded preceding and current row)
            as {{ dbt.type_bigint() }}
        ) as customers_to_date,
        cast(new_customers as {{ dbt.type_bigint() }}) as new_customers,
        cast(
            sum(new_buyers) over (order by date_day rows between unbounded preceding and current row)
            as {{ dbt.type_bigint() }}
        ) as buyers_to_date,
        cast(new_buyers as {{ dbt.type_bigint() }}) as new_buyers,
        cast(active_customers as {{ dbt.type_bigint() }}) as active_customers,
        cast(
            sum(change_in_active) over (order by date_day rows between unbounded preceding and current row)
            as {{ dbt.type_bigint() }}
        ) as active_customers_30d,
        cast(online_orders as {{ dbt.type_bigint() }}) as online_orders,
        cast(offline_orders as {{ dbt.type_bigint() }}) as offline_orders,
        cast(orders as {{ dbt.type_bigint() }}) as orders,
        cast(online_revenue as {{ cdp.type_money() }}) as online_revenue,
        cast(offline_revenue as {{ cdp.type_money() }}) as offline_revenue,
        cast(revenue as {{ cdp.type_money() }}) as revenue,
        cast('{{ cdp.reporting_currency() }}' as {{ dbt.type_string() }}) as reporting_currency,
        cast(web_sessions as {{ dbt.type_bigint() }}) as web_sessions
    from daily
)

select * from final
