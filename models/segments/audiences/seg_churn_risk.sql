{#- Generated from segments/churn_risk.yml by `activation segments compile`: do not edit
    (edit the definition, then recompile). -#}

with

customers as (
    select * from {{ ref('dim_customers') }}
),

segment_suppressions as (
    select * from {{ ref('segment_suppressions') }}
),

customer_predictions as (
    select * from {{ ref('int_customer_predictions') }}
),

orders as (
    select * from {{ ref('fct_orders') }}
),

segment_reference_date as (
    select * from {{ ref('segment_reference_date') }}
),

date_windows as (
    select
        segment_reference_date.as_of_date,
        cast({{ dbt.dateadd('day', -60, 'segment_reference_date.as_of_date') }} as date) as as_of_minus_60_days
    from segment_reference_date
),

{# conditions.all[3]: did not perform orders within 60 days #}
behaviour_1 as (
    select
        orders.customer_id,
        count(*) as event_count
    from orders
    cross join date_windows
    where
        orders.customer_id is not null
        and cast(orders.ordered_at as date) <= date_windows.as_of_date
        and cast(orders.ordered_at as date) > date_windows.as_of_minus_60_days
        and coalesce(orders.is_purchase = true, false)
    group by orders.customer_id
),

matched as (
    select customers.customer_id
    from customers
    cross join date_windows
    left join customer_predictions
        on customers.customer_id = customer_predictions.customer_id
    left join behaviour_1
        on customers.customer_id = behaviour_1.customer_id
    where
        coalesce(customers.order_count >= 2, false)
        and coalesce(customer_predictions.churn_risk >= 0.7, false)
        and coalesce(customers.lifecycle_stage in ('active', 'at_risk'), false)
        and coalesce(behaviour_1.event_count, 0) = 0
),

{# suppression: erased, no email consent, internal or test account, global suppression list #}
eligible as (
    select matched.customer_id
    from matched
    inner join segment_suppressions
        on matched.customer_id = segment_suppressions.customer_id
    where
        not segment_suppressions.is_erased
        and segment_suppressions.has_email_consent
        and not segment_suppressions.is_internal_account
        and not segment_suppressions.is_globally_suppressed
),

{# holdout: 20 % of the eligible members, stable across runs #}
holdout_assigned as (
    select
        eligible.customer_id,
        {{ cdp.segment_holdout_bucket('eligible.customer_id', 'churn_risk') }} < 2000 as is_holdout
    from eligible
),

final as (
    select
        holdout_assigned.customer_id,
        holdout_assigned.is_holdout,
        customers.email,
        customers.first_name,
        customer_predictions.churn_risk,
        customers.days_since_last_order,
        customers.top_bought_category
    from holdout_assigned
    inner join customers
        on holdout_assigned.customer_id = customers.customer_id
    left join customer_predictions
        on holdout_assigned.customer_id = customer_predictions.customer_id
)

select * from final
