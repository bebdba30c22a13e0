{#-
  Current consent per customer and channel (int_customer_consents): one row per customer and channel (email,
  sms, phone, ads_personalisation). Activation sends a message on a channel only where has_consent is true.
  dim_customers carries the same values as columns per channel.
-#}

with

consents as (
    select * from {{ ref('int_customer_consents') }}
),

final as (
    select
        customer_id,
        channel,
        consent_status,
        has_consent,
        is_default_applied,
        decided_at,
        decision_collected_via,
        decision_consent_event_id,
        decision_count,
        is_erased
    from consents
)

select * from final
