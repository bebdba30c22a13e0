{#- Generated from segments/dormant_winback.yml by `activation segments compile`: do not edit
    (edit the definition, then recompile). -#}

with

customers as (
    select * from {{ ref('dim_customers') }}
),

segment_suppressions as (
    select * from {{ ref('segment_suppressions') }}
),

web_sessions as (
    select * from {{ ref('fct_web_sessions') }}
),

segment_reference_date as (
    select * from {{ ref('segment_reference_date') }}
),

date_windows as (
    select
        segment_reference_date.as_of_date,
        cast({{ dbt.dateadd('day', -365, 'segment_reference_date.as_of_date') }} as date) as as_of_minus_365_days,
        cast({{ dbt.dateadd('day', -90, 'segment_reference_date.as_of_date') }} as date) as as_of_minus_90_days
    from segment_reference_date
),

{# conditions.all[2]: did not perform web_sessions within 90 days #}
behaviour_1 as (
    select
        web_sessions.customer_id,
        count(*) as event_count
    from web_sessions
    cross join date_windows
    where
        web_sessions.customer_id is not null
        and cast(web_sessions.started_at as date) <= date_windows.as_of_date
        and cast(web_sessions.started_at as date) > date_windows.as_of_minus_90_days
    group by web_sessions.customer_id
),

matched as (
    select customers.customer_id
    from customers
    cross join date_windows
    left join behaviour_1
        on customers.customer_id = behaviour_1.customer_id
    where
        coalesce(customers.order_count > 0, false)
        and (
            coalesce(customers.lifecycle_stage in ('dormant', 'churned'), false)
            or coalesce(customers.last_order_date <= date_windows.as_of_minus_365_days, false)
        )
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

{# holdout: 10 % of the eligible members, stable across runs #}
holdout_assigned as (
    select
        eligible.customer_id,
        {{ cdp.segment_holdout_bucket('eligible.customer_id', 'dormant_winback') }} < 1000 as is_holdout
    from eligible
),

final as (
    select
        holdout_assigned.customer_id,
        holdout_assigned.is_holdout,
        customers.email,
        customers.first_name,
        customers.last_order_date,
        customers.top_bought_category
    from holdout_assigned
    inner join customers
        on holdout_assigned.customer_id = customers.customer_id
)

select * from final
