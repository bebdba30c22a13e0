{#-
  Purchase traits of every customer with an order or receipt dated by the as-of date (int_customer360_as_of).
  Orders count purchases only (not cancelled, refunded or returned); revenue is recognised revenue in the
  reporting currency, net of refunds and till returns; the average order value divides it by the purchases.
  Preferred channel and store: where the customer made most purchases (then most revenue, then the most
  recent). Top categories bought: by units bought over purchases, then revenue, then name, the first
  cdp_top_categories_count of them. One row per customer with at least one order.
-#}

with

orders as (
    select * from {{ ref('int_orders_unioned') }}
),

order_lines as (
    select * from {{ ref('int_order_lines_unioned') }}
),

as_of as (
    select * from {{ ref('int_customer360_as_of') }}
),

customer_orders as (
    select orders.*
    from orders
    cross join as_of
    where orders.customer_id is not null and orders.order_date <= as_of.as_of_date
),

order_totals as (
    select
        customer_id,
        sum(case when is_purchase then 1 else 0 end) as order_count,
        sum(case when is_purchase and channel = 'online' then 1 else 0 end) as online_order_count,
        sum(case when is_purchase and channel = 'offline' then 1 else 0 end) as offline_order_count,
        sum(case when is_cancelled then 1 else 0 end) as cancelled_order_count,
        sum(case when is_refunded or is_return then 1 else 0 end) as refund_and_return_count,
        sum(recognised_revenue_reporting) as total_revenue,
        sum(case when channel = 'online' then recognised_revenue_reporting end) as online_revenue,
        sum(case when channel = 'offline' then recognised_revenue_reporting end) as offline_revenue,
        min(case when is_purchase then order_date end) as first_order_date,
        max(case when is_purchase then order_date end) as last_order_date,
        min(case when is_purchase then ordered_at end) as first_ordered_at,
        max(case when is_purchase then ordered_at end) as last_ordered_at
    from customer_orders
    group by customer_id
),

channels_ranked as (
    select
        customer_id,
        channel,
        row_number() over (
            partition by customer_id
            order by
                count(*) desc,
                sum(recognised_revenue_reporting) desc nulls last,
                max(ordered_at) desc,
                channel asc
        ) as channel_rank
    from customer_orders
    where is_purchase
    group by customer_id, channel
),

stores_ranked as (
    select
        customer_id,
        store_id,
        max(store_name) as store_name,
        row_number() over (
            partition by customer_id
            order by
                count(*) desc,
                sum(recognised_revenue_reporting) desc nulls last,
                max(ordered_at) desc,
                {{ cdp.binary_order('store_id') }} asc
        ) as store_rank
    from customer_orders
    where is_purchase and store_id is not null
    group by customer_id, store_id
),

category_purchases as (
    select
        customer_orders.customer_id,
        order_lines.category,
        sum(order_lines.quantity) as units_bought,
        sum(order_lines.line_revenue) as category_revenue
    from customer_orders
    inner join order_lines
        on customer_orders.order_id = order_lines.order_id
    where customer_orders.is_purchase and order_lines.category is not null
    group by customer_orders.customer_id, order_lines.category
),

categories_ranked as (
    select
        customer_id,
        category,
        row_number() over (
            partition by customer_id
            order by units_bought desc, category_revenue desc nulls last, {{ cdp.binary_order('category') }} asc
        ) as category_rank
    from category_purchases
    where units_bought > 0
),

top_categories as (
    select
        customer_id,
        max(case when category_rank = 1 then category end) as top_bought_category,
        {{ cdp.listagg_ordered('category', 'category_rank', "','") }} as top_bought_categories
    from categories_ranked
    where category_rank <= {{ cdp.top_categories_count() }}
    group by customer_id
),

final as (
    select
        order_totals.customer_id,
        cast(order_totals.order_count as {{ dbt.type_bigint() }}) as order_count,
        cast(order_totals.online_order_count as {{ dbt.type_bigint() }}) as online_order_count,
        cast(order_totals.offline_order_count as {{ dbt.type_bigint() }}) as offline_order_count,
        cast(order_totals.cancelled_order_count as {{ dbt.type_bigint() }}) as cancelled_order_count,
        cast(order_totals.refund_and_return_count as {{ dbt.type_bigint() }}) as refund_and_return_count,
        cast(coalesce(order_totals.total_revenue, 0) as {{ cdp.type_money() }}) as total_revenue,
        cast(coalesce(order_totals.online_revenue, 0) as {{ cdp.type_money() }}) as online_revenue,
        cast(coalesce(order_totals.offline_revenue, 0) as {{ cdp.type_money() }}) as offline_revenue,
        {{ cdp.divide_money('order_totals.total_revenue', 'order_totals.order_count') }} as average_order_value,
        order_totals.first_order_date,
        order_totals.last_order_date,
        order_totals.first_ordered_at,
        order_totals.last_ordered_at,
        channels_ranked.channel as preferred_channel,
        stores_ranked.store_id as preferred_store_id,
        stores_ranked.store_name as preferred_store_name,
        top_categories.top_bought_category,
        top_categories.top_bought_categories
    from order_totals
    left join channels_ranked
        on order_totals.customer_id = channels_ranked.customer_id and channels_ranked.channel_rank = 1
    left join stores_ranked
        on order_totals.customer_id = stores_ranked.customer_id and stores_ranked.store_rank = 1
    left join top_categories
        on order_totals.customer_id = top_categories.customer_id
)

select * from final
