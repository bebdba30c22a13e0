{#- Generated from segments/high_value_loyal.yml by `activation segments compile`: do not edit
    (edit the definition, then recompile). -#}

with

customers as (
    select * from {{ ref('dim_customers') }}
),

segment_suppressions as (
    select * from {{ ref('segment_suppressions') }}
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
        cast({{ dbt.dateadd('month', -6, 'segment_reference_date.as_of_date') }} as date) as as_of_minus_6_months
    from segment_reference_date
),

{# conditions.all[3]: performed orders at least 1 times within 6 months #}
behaviour_1 as (
    select
        orders.customer_id,
        count(*) as event_count
    from orders
    cross join date_windows
    where
        orders.customer_id is not null
        and cast(orders.ordered_at as date) <= date_windows.as_of_date
        and cast(orders.ordered_at as date) > date_windows.as_of_minus_6_months
        and coalesce(orders.is_purchase = true, false)
    group by orders.customer_id
),

matched as (
    select customers.customer_id
    from customers
    cross join date_windows
    left join behaviour_1
        on customers.customer_id = behaviour_1.customer_id
    where
        coalesce(customers.order_count >= 3, false)
        and coalesce(customers.total_revenue >= 450, false)
        and coalesce(customers.lifecycle_stage in ('new', 'active'), false)
        and coalesce(behaviour_1.event_count, 0) >= 1
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

{# holdout: 10 % of the eligible members, stable across runs #}
holdout_assigned as (
    select
        eligible.customer_id,
        {{ cdp.segment_holdout_bucket('eligible.customer_id', 'high_value_loyal') }} < 1000 as is_holdout
    from eligible
),

final as (
    select
        holdout_assigned.customer_id,
        holdout_assigned.is_holdout,
        customers.email,
        customers.first_name,
        customers.last_name,
        customers.preferred_language,
        customers.order_count,
        customers.total_revenue,
        customers.rfm_score
    from holdout_assigned
    inner join customers
        on holdout_assigned.customer_id = customers.customer_id
)

select * from final
