{#-
  One row per customer who bought at least once on or before the as-of date: the purchase history the BG/NBD
  and Gamma-Gamma models read, in days.
    - A purchase is a day with at least one order of the customer (online or in store), not cancelled and
      not a refund (revenue <= 0): two orders the same day are one purchase occasion, as BG/NBD assumes
      occasions, not baskets.
    - repeat_purchase_count (the model's x) counts purchase days after the first; recency_days (t_x) is the
      number of days from the first to the last purchase day; age_days (T) from the first purchase day to the
      as-of date. All three are whole days.
    - The value of a repeat purchase day is its revenue in the default currency (cdp_default_currency);
      days with an order in another currency or an unreadable amount are left out of the value mean (there is
      no exchange rate to convert them), not out of the purchase counts.
-#}

with

orders as (
    select * from {{ ref('fct_orders') }}
),

snapshots as (
    select * from {{ ref('int_prediction_snapshots') }}
    where snapshot_role = 'scoring'
),

purchases as (
    select
        orders.customer_id,
        orders.order_date,
        orders.order_revenue,
        orders.currency,
        snapshots.snapshot_date as as_of_date
    from orders
    inner join snapshots
        on orders.order_date <= snapshots.snapshot_date
    where
        orders.customer_id is not null
        and not orders.is_cancelled
        and (orders.order_revenue is null or orders.order_revenue > 0)
),

purchase_days as (
    select
        customer_id,
        order_date as purchase_date,
        as_of_date,
        sum(
            case when currency = '{{ var("cdp_default_currency") }}' then order_revenue end
        ) as default_currency_revenue,
        count(*) = count(
            case when currency = '{{ var("cdp_default_currency") }}' and order_revenue is not null then 1 end
        ) as is_valued
    from purchases
    group by customer_id, order_date, as_of_date
),

purchase_days_numbered as (
    select
        *,
        min(purchase_date) over (partition by customer_id) as first_purchase_date
    from purchase_days
),

final as (
    select
        customer_id,
        as_of_date,
        min(purchase_date) as first_purchase_date,
        max(purchase_date) as last_purchase_date,
        count(*) as purchase_day_count,
        count(*) - 1 as repeat_purchase_count,
        {{ dbt.datediff('min(purchase_date)', 'max(purchase_date)', 'day') }} as recency_days,
        {{ dbt.datediff('min(purchase_date)', 'as_of_date', 'day') }} as age_days,
        count(
            case when purchase_date > first_purchase_date and is_valued then 1 end
        ) as valued_repeat_purchase_count,
        cast(
            avg(case when purchase_date > first_purchase_date and is_valued then default_currency_revenue end)
            as {{ cdp.type_double() }}
        ) as repeat_purchase_value_mean,
        '{{ var("cdp_default_currency") }}' as value_currency
    from purchase_days_numbered
    group by customer_id, as_of_date
)

select * from final
