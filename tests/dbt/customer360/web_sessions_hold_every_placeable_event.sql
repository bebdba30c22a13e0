{#-
  Sessionisation loses and duplicates nothing: the sessions' events add up to the web events that have an
  anonymous id and a readable time. Fails with both counts when they differ.
-#}

with

web_events as (
    select * from {{ ref('stg_web__events') }}
),

sessions as (
    select * from {{ ref('fct_web_sessions') }}
),

placeable as (
    select count(*) as event_count
    from web_events
    where anonymous_id is not null and occurred_at is not null
),

sessionised as (
    select coalesce(sum(event_count), 0) as event_count
    from sessions
),

final as (
    select
        placeable.event_count as placeable_events,
        sessionised.event_count as events_in_sessions
    from placeable
    cross join sessionised
    where placeable.event_count != sessionised.event_count
)

select * from final
