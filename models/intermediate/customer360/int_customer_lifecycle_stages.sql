{#-
  Lifecycle stage and RFM scores of every customer, as of the as-of date (int_customer360_as_of).

  Stage, from purchases (int_customer_order_traits) and the day thresholds of var cdp_lifecycle_thresholds_days,
  counted in whole days back from the as-of date ("within N days": fewer than N days ago):
    prospect   no purchase yet (a known person, a web visitor, a buyer whose only orders were cancelled)
    new        first purchase within `new` days
    active     last purchase within `active` days
    at_risk    last purchase within `at_risk` days
    dormant    last purchase within `dormant` days
    churned    last purchase longer ago
  RFM: recency (last purchase date), frequency (purchases) and monetary value (recognised revenue) each scored
  1 to 5 among the customers with a purchase, from the value's percent rank: 1 + floor(5 x percent rank), 5 at
  the top. Equal values always get the same score; customers without a purchase have none.
-#}

with

customers as (
    select * from {{ ref('int_customers_golden') }}
),

order_traits as (
    select * from {{ ref('int_customer_order_traits') }}
),

as_of as (
    select * from {{ ref('int_customer360_as_of') }}
),

customer_recency as (
    select
        customers.customer_id,
        coalesce(order_traits.order_count, 0) as order_count,
        order_traits.total_revenue,
        order_traits.last_order_date,
        {{ dbt.datediff('order_traits.first_order_date', 'as_of.as_of_date', 'day') }} as days_since_first_order,
        {{ dbt.datediff('order_traits.last_order_date', 'as_of.as_of_date', 'day') }} as days_since_last_order
    from customers
    cross join as_of
    left join order_traits
        on customers.customer_id = order_traits.customer_id
),

staged as (
    select
        *,
        case
            when order_count = 0 then 'prospect'
            when days_since_first_order < {{ cdp.lifecycle_threshold_days('new') }} then 'new'
            when days_since_last_order < {{ cdp.lifecycle_threshold_days('active') }} then 'active'
            when days_since_last_order < {{ cdp.lifecycle_threshold_days('at_risk') }} then 'at_risk'
            when days_since_last_order < {{ cdp.lifecycle_threshold_days('dormant') }} then 'dormant'
            else 'churned'
        end as lifecycle_stage
    from customer_recency
),

buyers_ranked as (
    select
        customer_id,
        percent_rank() over (order by last_order_date asc) as recency_percent_rank,
        percent_rank() over (order by order_count asc) as frequency_percent_rank,
        percent_rank() over (order by total_revenue asc) as monetary_percent_rank
    from staged
    where order_count > 0
),

buyers_scored as (
    select
        customer_id,
        cast(least(5, 1 + floor(5 * recency_percent_rank)) as {{ dbt.type_int() }}) as recency_score,
        cast(least(5, 1 + floor(5 * frequency_percent_rank)) as {{ dbt.type_int() }}) as frequency_score,
        cast(least(5, 1 + floor(5 * monetary_percent_rank)) as {{ dbt.type_int() }}) as monetary_score
    from buyers_ranked
),

final as (
    select
        staged.customer_id,
        staged.lifecycle_stage,
        cast(staged.days_since_first_order as {{ dbt.type_int() }}) as days_since_first_order,
        cast(staged.days_since_last_order as {{ dbt.type_int() }}) as days_since_last_order,
        buyers_scored.recency_score,
        buyers_scored.frequency_score,
        buyers_scored.monetary_score,
        {{ dbt.concat([
            dbt.safe_cast('buyers_scored.recency_score', dbt.type_string()),
            dbt.safe_cast('buyers_scored.frequency_score', dbt.type_string()),
            dbt.safe_cast('buyers_scored.monetary_score', dbt.type_string()),
        ]) }} as rfm_score
    from staged
    left join buyers_scored
        on staged.customer_id = buyers_scored.customer_id
)

select * from final
