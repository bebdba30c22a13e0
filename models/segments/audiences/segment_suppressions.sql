{#- Generated from segments/_settings.yml by `activation segments compile`: do not edit
    (edit the definition, then recompile). -#}

with

customers as (
    select * from {{ ref('dim_customers') }}
),

global_suppressions as (
    select * from {{ ref('segment_global_suppressions') }}
),

final as (
    select
        customers.customer_id,
        coalesce(customers.is_erased, false) as is_erased,
        coalesce(customers.has_email_consent, false) as has_email_consent,
        coalesce(customers.has_sms_consent, false) as has_sms_consent,
        coalesce(customers.has_phone_consent, false) as has_phone_consent,
        coalesce(customers.has_ads_personalisation_consent, false) as has_ads_personalisation_consent,
        coalesce(global_suppressions.is_internal_account, false) as is_internal_account,
        coalesce(customers.order_count > 0, false) as is_existing_customer,
        coalesce(global_suppressions.is_suppressed, false) as is_globally_suppressed,
        global_suppressions.suppression_reasons as global_suppression_reasons
    from customers
    left join global_suppressions
        on customers.customer_id = global_suppressions.customer_id
)

select * from final
