{#-
  Every web event with its session: a visitor's (anonymous id's) events in time order, a new session starting
  at the first event and after every gap longer than var cdp_session_inactivity_minutes (default 30, the
  analytics convention; exactly the gap stays in the session). session_id is the hash of the anonymous id and
  the session's first event id, so rebuilding the same events gives the same ids on every engine. Events at
  the same instant are ordered by event id. Events without an anonymous id or a readable timestamp cannot be
  placed in a session and are left out (the data test on fct_web_sessions counts them).
-#}

with

web_events as (
    select * from {{ ref('stg_web__events') }}
),

placeable_events as (
    select * from web_events
    where anonymous_id is not null and occurred_at is not null
),

with_previous_event as (
    select
        *,
        lag(occurred_at) over (
            partition by anonymous_id order by occurred_at asc, {{ cdp.binary_order('event_id') }} asc
        ) as previous_occurred_at
    from placeable_events
),

session_starts_flagged as (
    select
        *,
        case
            when previous_occurred_at is null then 1
            when occurred_at > {{ dbt.dateadd('minute', cdp.session_inactivity_minutes(), 'previous_occurred_at') }}
                then 1
            else 0
        end as is_session_start
    from with_previous_event
),

sessions_numbered as (
    select
        *,
        sum(is_session_start) over (
            partition by anonymous_id
            order by occurred_at asc, {{ cdp.binary_order('event_id') }} asc
            rows between unbounded preceding and current row
        ) as session_index
    from session_starts_flagged
),

events_in_session_order as (
    select
        *,
        row_number() over (
            partition by anonymous_id, session_index
            order by occurred_at asc, {{ cdp.binary_order('event_id') }} asc
        ) as event_index_in_session
    from sessions_numbered
),

session_first_events as (
    select
        anonymous_id,
        session_index,
        event_id as session_first_event_id
    from events_in_session_order
    where event_index_in_session = 1
),

final as (
    select
        {{ cdp.surrogate_key(['events_in_session_order.anonymous_id', 'session_first_events.session_first_event_id']) }}
            as session_id,
        events_in_session_order.anonymous_id,
        cast(events_in_session_order.session_index as {{ dbt.type_bigint() }}) as session_index,
        session_first_events.session_first_event_id,
        cast(events_in_session_order.event_index_in_session as {{ dbt.type_bigint() }}) as event_index_in_session,
        events_in_session_order.event_id,
        events_in_session_order.event_name,
        events_in_session_order.occurred_at,
        events_in_session_order.page_path,
        events_in_session_order.referrer,
        events_in_session_order.utm_source,
        events_in_session_order.utm_medium,
        events_in_session_order.utm_campaign,
        events_in_session_order.product_id,
        events_in_session_order.device_type
    from events_in_session_order
    inner join session_first_events
        on
            events_in_session_order.anonymous_id = session_first_events.anonymous_id
            and events_in_session_order.session_index = session_first_events.session_index
)

select * from final
