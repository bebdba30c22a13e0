{#-
  Every web session (int_web_sessions) with its customer. The anonymous id is a personal identifier (a cookie
  id): it is null for erased customers, whose sessions otherwise stay for traffic figures. The landing
  referrer is left out of this mart (another site's URL can carry personal data in its query string).
-#}

with

sessions as (
    select * from {{ ref('int_web_sessions') }}
),

erased_customers as (
    select * from {{ ref('int_customers_erased') }}
),

final as (
    select
        sessions.session_id,
        case when erased_customers.customer_id is null then sessions.anonymous_id end as anonymous_id,
        sessions.customer_id,
        sessions.session_index,
        sessions.started_at,
        sessions.ended_at,
        sessions.session_date,
        sessions.duration_seconds,
        sessions.event_count,
        sessions.page_view_count,
        sessions.product_view_count,
        sessions.distinct_product_view_count,
        sessions.viewed_categories,
        sessions.add_to_cart_count,
        sessions.has_checkout_started,
        sessions.has_order_completed,
        sessions.has_sign_up,
        sessions.is_bounce,
        sessions.landing_page_path,
        sessions.utm_source,
        sessions.utm_medium,
        sessions.utm_campaign,
        sessions.device_type
    from sessions
    left join erased_customers
        on sessions.customer_id = erased_customers.customer_id
)

select * from final
