{#-
  Web engagement of every customer with a web session started by the as-of date (int_customer360_as_of):
  sessions and page views overall and in the 7, 30 and 90 days ending on the as-of date (that day included),
  first and last visit, and the categories the customer looked at most (product views, then the latest view,
  then name; the first cdp_top_categories_count of them). One row per customer with at least one session.
-#}

with

sessions as (
    select * from {{ ref('int_web_sessions') }}
),

events as (
    select * from {{ ref('int_web_events_sessionised') }}
),

products as (
    select * from {{ ref('stg_shop__products') }}
),

as_of as (
    select * from {{ ref('int_customer360_as_of') }}
),

customer_sessions as (
    select
        sessions.customer_id,
        sessions.session_id,
        sessions.started_at,
        sessions.page_view_count,
        {{ dbt.datediff('sessions.session_date', 'as_of.as_of_date', 'day') }} as days_ago
    from sessions
    cross join as_of
    where sessions.customer_id is not null and sessions.session_date <= as_of.as_of_date
),

session_totals as (
    select
        customer_id,
        count(*) as session_count,
        sum(page_view_count) as page_view_count,
        {%- for days in [7, 30, 90] %}
            sum(case when days_ago < {{ days }} then 1 else 0 end) as sessions_{{ days }}d,
            sum(case when days_ago < {{ days }} then page_view_count else 0 end) as page_views_{{ days }}d,
        {%- endfor %}
        min(started_at) as first_visit_at,
        max(started_at) as last_visit_at
    from customer_sessions
    group by customer_id
),

category_views as (
    select
        customer_sessions.customer_id,
        products.category,
        count(*) as view_count,
        max(events.occurred_at) as last_viewed_at
    from customer_sessions
    inner join events
        on customer_sessions.session_id = events.session_id
    inner join products
        on events.product_id = products.product_id
    where events.event_name = 'product_view' and products.category is not null
    group by customer_sessions.customer_id, products.category
),

categories_ranked as (
    select
        customer_id,
        category,
        row_number() over (
            partition by customer_id
            order by view_count desc, last_viewed_at desc, {{ cdp.binary_order('category') }} asc
        ) as category_rank
    from category_views
),

top_categories as (
    select
        customer_id,
        max(case when category_rank = 1 then category end) as top_viewed_category,
        {{ cdp.listagg_ordered('category', 'category_rank', "','") }} as top_viewed_categories
    from categories_ranked
    where category_rank <= {{ cdp.top_categories_count() }}
    group by customer_id
),

final as (
    select
        session_totals.customer_id,
        cast(session_totals.session_count as {{ dbt.type_bigint() }}) as session_count,
        cast(session_totals.page_view_count as {{ dbt.type_bigint() }}) as page_view_count,
        {%- for days in [7, 30, 90] %}
            cast(session_totals.sessions_{{ days }}d as {{ dbt.type_bigint() }}) as sessions_{{ days }}d,
            cast(session_totals.page_views_{{ days }}d as {{ dbt.type_bigint() }}) as page_views_{{ days }}d,
        {%- endfor %}
        session_totals.first_visit_at,
        session_totals.last_visit_at,
        top_categories.top_viewed_category,
        top_categories.top_viewed_categories
    from session_totals
    left join top_categories
        on session_totals.customer_id = top_categories.customer_id
)

select * from final
