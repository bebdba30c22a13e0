{#- Generated from segments/lookalike_seed.yml by `activation segments compile`: do not edit
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

matched as (
    select customers.customer_id
    from customers
    left join customer_predictions
        on customers.customer_id = customer_predictions.customer_id
    where
        coalesce(customer_predictions.predicted_clv_12m >= 350, false)
        or coalesce(customers.total_revenue >= 750, false)
),

{# suppression: erased, no ads_personalisation consent, internal or test account, global suppression list #}
eligible as (
    select matched.customer_id
    from matched
    inner join segment_suppressions
        on matched.customer_id = segment_suppressions.customer_id
    where
        not segment_suppressions.is_erased
        and segment_suppressions.has_ads_personalisation_consent
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
        customers.email_normalized,
        customers.phone_e164,
        customers.country_code,
        customer_predictions.predicted_clv_12m as customer_value
    from holdout_assigned
    inner join customers
        on holdout_assigned.customer_id = customers.customer_id
    left join customer_predictions
        on holdout_assigned.customer_id = customer_predictions.customer_id
)

select * from final
