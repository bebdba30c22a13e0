{#-
  The one date the Customer 360 is computed as of: recency, lifecycle stages and the 7/30/90-day windows count
  back from it, and events after it are left out of customer traits. Var cdp_as_of_date when set; otherwise the
  day of the latest event in the facts (orders and receipts, web events, support tickets, consent decisions),
  so a static data set (the sample) looks current and every engine and every re-run agree. Never the wall
  clock. One row.
-#}

with

orders as (
    select * from {{ ref('int_orders_unioned') }}
),

web_events as (
    select * from {{ ref('stg_web__events') }}
),

support_tickets as (
    select * from {{ ref('stg_support__tickets') }}
),

consent_events as (
    select * from {{ ref('stg_consent__events') }}
),

latest_events as (
    select max(ordered_at) as latest_event_at from orders
    union all
    select max(occurred_at) as latest_event_at from web_events
    union all
    select max(created_at) as latest_event_at from support_tickets
    union all
    select max(occurred_at) as latest_event_at from consent_events
),

final as (
    select
        coalesce(
            {{ cdp.customer360_as_of_date_setting() }},
            cast(max(latest_event_at) as date)
        ) as as_of_date,
        {{ cdp.customer360_as_of_date_setting() }} is not null as is_as_of_date_from_var,
        max(latest_event_at) as latest_event_at
    from latest_events
)

select * from final
