{#-
  Every consent decision as recorded (int_consent_events_attributed), with its customer: the audit trail behind
  dim_customer_consents. subject_value (the e-mail, phone or account id the decision names) is personal data:
  null for erased customers.
-#}

with

consent_events as (
    select * from {{ ref('int_consent_events_attributed') }}
),

erased_customers as (
    select * from {{ ref('int_customers_erased') }}
),

final as (
    select
        consent_events.consent_event_id,
        consent_events.customer_id,
        consent_events.channel,
        consent_events.status,
        consent_events.occurred_at,
        consent_events.collected_via,
        consent_events.is_valid_decision,
        consent_events.channel_raw,
        consent_events.status_raw,
        consent_events.subject_type,
        case when erased_customers.customer_id is null then consent_events.subject_value end as subject_value
    from consent_events
    left join erased_customers
        on consent_events.customer_id = erased_customers.customer_id
)

select * from final
