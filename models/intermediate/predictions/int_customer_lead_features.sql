{#-
  Engagement of prospects (customers who had not bought yet), one row per prospect and snapshot
  (int_prediction_snapshots): what the lead score is computed from, and, on the past snapshots, whether the
  prospect then made a first purchase within the lead horizon (the outcome the lead-score model learns).

  A customer is a prospect on a snapshot date when they were known by then (a web visit, a consent decision,
  or a profile or touchpoint record observed on or before it) and had not bought on or before it. Web
  activity comes from the visitors identity resolution attached to the customer; sessions end after
  cdp_predictions_session_timeout_minutes without an event. The model's inputs are the lead_feature_*
  columns (see cdp.lead_score_features()): counts enter as ln(1 + count), recency as ln(1 + days) capped at a
  year, so that a few very active visitors do not dominate the fit.
-#}

{%- set settings = cdp.prediction_settings() -%}

with

web_events as (
    select * from {{ ref('stg_web__events') }}
),

consent_events as (
    select * from {{ ref('stg_consent__events') }}
),

identity_records as (
    select * from {{ ref('int_identity_records') }}
),

identity_customer_ids as (
    select * from {{ ref('int_identity_customer_ids') }}
),

purchase_summaries as (
    select * from {{ ref('int_customer_purchase_summaries') }}
),

snapshots as (
    select * from {{ ref('int_prediction_snapshots') }}
),

customer_web_events as (
    select
        identity_customer_ids.customer_id,
        web_events.anonymous_id,
        web_events.event_id,
        web_events.event_name,
        web_events.occurred_at,
        cast(web_events.occurred_at as date) as event_date
    from web_events
    inner join identity_customer_ids
        on {{ dbt.concat(["'web_anonymous_ids:'", 'web_events.anonymous_id']) }} = identity_customer_ids.record_key
    where web_events.occurred_at is not null
),

web_events_sequenced as (
    select
        *,
        lag(occurred_at) over (
            partition by anonymous_id order by occurred_at, event_id
        ) as previous_occurred_at
    from customer_web_events
),

web_events_sessionised as (
    select
        *,
        coalesce(
            {{ dbt.datediff('previous_occurred_at', 'occurred_at', 'minute') }}
            > {{ settings.session_timeout_minutes }},
            true
        ) as is_session_start
    from web_events_sequenced
),

customer_email_decisions as (
    select
        identity_customer_ids.customer_id,
        consent_events.consent_event_id,
        consent_events.status,
        consent_events.occurred_at,
        cast(consent_events.occurred_at as date) as decision_date
    from consent_events
    inner join identity_customer_ids
        on {{ dbt.concat(["'consent_events:'", 'consent_events.consent_event_id']) }} = identity_customer_ids.record_key
    where consent_events.channel = 'email' and consent_events.occurred_at is not null
),

{# The first day each customer was known from: their earliest web visit, consent decision or other record. #}
customer_first_seen_candidates as (
    select
        customer_id,
        min(event_date) as first_seen_date
    from customer_web_events
    group by customer_id
    union all
    select
        customer_id,
        min(decision_date) as first_seen_date
    from customer_email_decisions
    group by customer_id
    union all
    select
        identity_customer_ids.customer_id,
        min(cast(identity_records.observed_at as date)) as first_seen_date
    from identity_records
    inner join identity_customer_ids
        on identity_records.record_key = identity_customer_ids.record_key
    where identity_records.source_table != 'web_anonymous_ids'
    group by identity_customer_ids.customer_id
),

customer_first_seen as (
    select
        customer_id,
        min(first_seen_date) as first_seen_date
    from customer_first_seen_candidates
    group by customer_id
),

prospects as (
    select
        customer_first_seen.customer_id,
        snapshots.snapshot_index,
        snapshots.snapshot_role,
        snapshots.snapshot_date,
        snapshots.outcome_end_date,
        purchase_summaries.first_purchase_date
    from customer_first_seen
    inner join snapshots
        on customer_first_seen.first_seen_date <= snapshots.snapshot_date
    left join purchase_summaries
        on customer_first_seen.customer_id = purchase_summaries.customer_id
    where
        purchase_summaries.first_purchase_date is null
        or purchase_summaries.first_purchase_date > snapshots.snapshot_date
),

web_activity as (
    select
        prospects.customer_id,
        prospects.snapshot_index,
        count(
            case
                when
                    web_events_sessionised.is_session_start
                    and web_events_sessionised.event_date > {{ dbt.dateadd('day', -30, 'prospects.snapshot_date') }}
                    then 1
            end
        ) as sessions_30d,
        count(
            case
                when
                    web_events_sessionised.is_session_start
                    and web_events_sessionised.event_date > {{ dbt.dateadd('day', -90, 'prospects.snapshot_date') }}
                    then 1
            end
        ) as sessions_90d,
        count(
            case
                when
                    web_events_sessionised.event_name in ('page_view', 'product_view')
                    and web_events_sessionised.event_date > {{ dbt.dateadd('day', -90, 'prospects.snapshot_date') }}
                    then 1
            end
        ) as page_views_90d,
        count(
            case
                when
                    web_events_sessionised.event_name in ('add_to_cart', 'checkout_started')
                    and web_events_sessionised.event_date > {{ dbt.dateadd('day', -90, 'prospects.snapshot_date') }}
                    then 1
            end
        ) as cart_events_90d,
        max(web_events_sessionised.event_date) as last_visit_date
    from prospects
    inner join web_events_sessionised
        on
            prospects.customer_id = web_events_sessionised.customer_id
            and prospects.snapshot_date >= web_events_sessionised.event_date
    group by prospects.customer_id, prospects.snapshot_index
),

email_decisions_ranked as (
    select
        prospects.customer_id,
        prospects.snapshot_index,
        customer_email_decisions.status,
        row_number() over (
            partition by prospects.customer_id, prospects.snapshot_index
            order by customer_email_decisions.occurred_at desc, customer_email_decisions.consent_event_id desc
        ) as recency_rank
    from prospects
    inner join customer_email_decisions
        on
            prospects.customer_id = customer_email_decisions.customer_id
            and prospects.snapshot_date >= customer_email_decisions.decision_date
),

latest_email_decisions as (
    select
        customer_id,
        snapshot_index,
        status
    from email_decisions_ranked
    where recency_rank = 1
),

engagement as (
    select
        prospects.customer_id,
        prospects.snapshot_index,
        prospects.snapshot_role,
        prospects.snapshot_date,
        prospects.outcome_end_date,
        prospects.first_purchase_date,
        coalesce(web_activity.sessions_30d, 0) as sessions_30d,
        coalesce(web_activity.sessions_90d, 0) as sessions_90d,
        coalesce(web_activity.page_views_90d, 0) as page_views_90d,
        coalesce(web_activity.cart_events_90d, 0) as cart_events_90d,
        {{ dbt.datediff('web_activity.last_visit_date', 'prospects.snapshot_date', 'day') }} as days_since_last_visit,
        coalesce(latest_email_decisions.status = 'granted', false) as has_email_consent
    from prospects
    left join web_activity
        on
            prospects.customer_id = web_activity.customer_id
            and prospects.snapshot_index = web_activity.snapshot_index
    left join latest_email_decisions
        on
            prospects.customer_id = latest_email_decisions.customer_id
            and prospects.snapshot_index = latest_email_decisions.snapshot_index
),

final as (
    select
        customer_id,
        snapshot_index,
        snapshot_role,
        snapshot_date,
        sessions_30d,
        sessions_90d,
        page_views_90d,
        cart_events_90d,
        days_since_last_visit,
        has_email_consent,
        cast(ln(1 + sessions_30d) as {{ cdp.type_double() }}) as lead_feature_sessions_30d,
        cast(ln(1 + sessions_90d) as {{ cdp.type_double() }}) as lead_feature_sessions_90d,
        cast(ln(1 + page_views_90d) as {{ cdp.type_double() }}) as lead_feature_page_views_90d,
        cast(ln(1 + cart_events_90d) as {{ cdp.type_double() }}) as lead_feature_cart_events_90d,
        cast(
            ln(1 + coalesce(least(days_since_last_visit, 365), 365)) as {{ cdp.type_double() }}
        ) as lead_feature_visit_recency,
        cast(case when has_email_consent then 1 else 0 end as {{ cdp.type_double() }})
            as lead_feature_email_consent,
        case
            when snapshot_index > 0
                then coalesce(first_purchase_date <= outcome_end_date, false)
        end as has_first_purchase_in_horizon
    from engagement
)

select * from final
