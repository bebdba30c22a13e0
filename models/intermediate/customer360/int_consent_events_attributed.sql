{#-
  Every consent decision with its customer: identity resolution attaches the decision's record
  ('consent_events:<consent_event_id>') through the identifier it names (e-mail, phone, CRM contact, shop
  account or loyalty card). is_valid_decision: channel, decision and time could all be read, so it can take
  part in a customer's current consent; the others stay visible with their raw values.
-#}

with

consent_events as (
    select * from {{ ref('stg_consent__events') }}
),

customer_ids as (
    select * from {{ ref('int_identity_customer_ids') }}
),

final as (
    select
        consent_events.consent_event_id,
        customer_ids.customer_id,
        consent_events.subject_type,
        consent_events.subject_value,
        consent_events.channel,
        consent_events.channel_raw,
        consent_events.status,
        consent_events.status_raw,
        consent_events.occurred_at,
        consent_events.collected_via,
        (
            consent_events.channel is not null
            and consent_events.status is not null
            and consent_events.occurred_at is not null
        ) as is_valid_decision
    from consent_events
    left join customer_ids
        on {{ cdp.record_key('consent_events', 'consent_events.consent_event_id') }} = customer_ids.record_key
)

select * from final
