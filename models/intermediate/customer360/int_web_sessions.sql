{#-
  One row per web session (int_web_events_sessionised) with its customer: the identity record of the
  session's anonymous id ('web_anonymous_ids:<anonymous_id>') tells which customer the visitor is, including
  visits made before the visitor ever logged in. Landing page, referrer and UTM parameters are the first
  event's; the device is the first one the session reports. Page views count page_view and product_view
  events (each loads a page); products and categories viewed come from product_view events and the catalogue.
-#}

with

events as (
    select * from {{ ref('int_web_events_sessionised') }}
),

products as (
    select * from {{ ref('stg_shop__products') }}
),

customer_ids as (
    select * from {{ ref('int_identity_customer_ids') }}
),

session_totals as (
    select
        session_id,
        min(occurred_at) as started_at,
        max(occurred_at) as ended_at,
        count(*) as event_count,
        sum(case when event_name in ('page_view', 'product_view') then 1 else 0 end) as page_view_count,
        sum(case when event_name = 'product_view' then 1 else 0 end) as product_view_count,
        count(distinct case when event_name = 'product_view' then product_id end) as distinct_product_view_count,
        sum(case when event_name = 'add_to_cart' then 1 else 0 end) as add_to_cart_count,
        max(case when event_name = 'checkout_started' then 1 else 0 end) = 1 as has_checkout_started,
        max(case when event_name = 'order_completed' then 1 else 0 end) = 1 as has_order_completed,
        max(case when event_name = 'sign_up' then 1 else 0 end) = 1 as has_sign_up
    from events
    group by session_id
),

first_events as (
    select * from events
    where event_index_in_session = 1
),

devices_ranked as (
    select
        session_id,
        device_type,
        row_number() over (partition by session_id order by event_index_in_session asc) as device_rank
    from events
    where device_type is not null
),

session_devices as (
    select
        session_id,
        device_type
    from devices_ranked
    where device_rank = 1
),

viewed_categories as (
    select distinct
        events.session_id,
        products.category
    from events
    inner join products
        on events.product_id = products.product_id
    where events.event_name = 'product_view' and products.category is not null
),

session_categories as (
    select
        session_id,
        {{ cdp.listagg_sorted('category', "','") }} as viewed_categories
    from viewed_categories
    group by session_id
),

final as (
    select
        first_events.session_id,
        first_events.anonymous_id,
        customer_ids.customer_id,
        first_events.session_index,
        session_totals.started_at,
        session_totals.ended_at,
        cast(session_totals.started_at as date) as session_date,
        cast(
            {{ dbt.datediff('session_totals.started_at', 'session_totals.ended_at', 'second') }}
            as {{ dbt.type_bigint() }}
        ) as duration_seconds,
        cast(session_totals.event_count as {{ dbt.type_bigint() }}) as event_count,
        cast(session_totals.page_view_count as {{ dbt.type_bigint() }}) as page_view_count,
        cast(session_totals.product_view_count as {{ dbt.type_bigint() }}) as product_view_count,
        cast(session_totals.distinct_product_view_count as {{ dbt.type_bigint() }}) as distinct_product_view_count,
        session_categories.viewed_categories,
        cast(session_totals.add_to_cart_count as {{ dbt.type_bigint() }}) as add_to_cart_count,
        session_totals.has_checkout_started,
        session_totals.has_order_completed,
        session_totals.has_sign_up,
        session_totals.event_count = 1 as is_bounce,
        first_events.page_path as landing_page_path,
        first_events.referrer as landing_referrer,
        first_events.utm_source,
        first_events.utm_medium,
        first_events.utm_campaign,
        session_devices.device_type
    from first_events
    inner join session_totals
        on first_events.session_id = session_totals.session_id
    left join session_devices
        on first_events.session_id = session_devices.session_id
    left join session_categories
        on first_events.session_id = session_categories.session_id
    left join customer_ids
        on {{ cdp.record_key('web_anonymous_ids', 'first_events.anonymous_id') }} = customer_ids.record_key
)

select * from final
