{#- Generated from segments/cross_sell_category.yml by `activation segments compile`: do not edit
    (edit the definition, then recompile). -#}

with

customers as (
    select * from {{ ref('dim_customers') }}
),

segment_suppressions as (
    select * from {{ ref('segment_suppressions') }}
),

purchased_products as (
    select * from {{ ref('fct_order_lines') }}
),

seg_churn_risk as (
    select * from {{ ref('seg_churn_risk') }}
),

segment_reference_date as (
    select * from {{ ref('segment_reference_date') }}
),

customer_predictions as (
    select * from {{ ref('int_customer_predictions') }}
),

date_windows as (
    select
        segment_reference_date.as_of_date,
        cast({{ dbt.dateadd('month', -12, 'segment_reference_date.as_of_date') }} as date) as as_of_minus_12_months
    from segment_reference_date
),

{# conditions.all[0]: performed purchased_products (filtered) at least 2 times within 12 months #}
behaviour_1 as (
    select
        purchased_products.customer_id,
        count(distinct purchased_products.order_id) as event_count
    from purchased_products
    cross join date_windows
    where
        purchased_products.customer_id is not null
        and cast(purchased_products.ordered_at as date) <= date_windows.as_of_date
        and cast(purchased_products.ordered_at as date) > date_windows.as_of_minus_12_months
        and coalesce(purchased_products.is_purchase = true, false)
        and coalesce(purchased_products.category in ('Femme', 'Homme'), false)
    group by purchased_products.customer_id
),

{# conditions.all[1]: did not perform purchased_products (filtered) #}
behaviour_2 as (
    select
        purchased_products.customer_id,
        count(distinct purchased_products.order_id) as event_count
    from purchased_products
    cross join date_windows
    where
        purchased_products.customer_id is not null
        and cast(purchased_products.ordered_at as date) <= date_windows.as_of_date
        and coalesce(purchased_products.is_purchase = true, false)
        and coalesce(purchased_products.category = 'Accessoires', false)
    group by purchased_products.customer_id
),

matched as (
    select customers.customer_id
    from customers
    cross join date_windows
    left join behaviour_1
        on customers.customer_id = behaviour_1.customer_id
    left join behaviour_2
        on customers.customer_id = behaviour_2.customer_id
    left join seg_churn_risk
        on customers.customer_id = seg_churn_risk.customer_id
    where
        coalesce(behaviour_1.event_count, 0) >= 2
        and coalesce(behaviour_2.event_count, 0) = 0
        and not (
            seg_churn_risk.customer_id is not null
        )
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

{# no holdout #}
holdout_assigned as (
    select
        eligible.customer_id,
        false as is_holdout
    from eligible
),

final as (
    select
        holdout_assigned.customer_id,
        holdout_assigned.is_holdout,
        customers.email,
        customers.first_name,
        customers.top_bought_categories,
        customer_predictions.next_best_category
    from holdout_assigned
    inner join customers
        on holdout_assigned.customer_id = customers.customer_id
    left join customer_predictions
        on holdout_assigned.customer_id = customer_predictions.customer_id
)

select * from final
