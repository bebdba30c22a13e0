{#-
  STAND-IN, TO BE REPLACED AT MERGE by the Customer 360 fct_orders (issue 4), which owns this model. It exists
  only so that the predictive-traits models (models/intermediate/predictions/) build in this branch, and it
  builds exactly the columns they read: one row per online order or till receipt, with the customer it
  belongs to (null when identity resolution attributed it to nobody). Delete this file and
  _fct_orders_stand_in.yml when merging.
-#}

with

shop_orders as (
    select * from {{ ref('stg_shop__orders') }}
),

shop_order_lines as (
    select * from {{ ref('stg_shop__order_lines') }}
),

pos_transactions as (
    select * from {{ ref('stg_pos__transactions') }}
),

pos_transaction_lines as (
    select * from {{ ref('stg_pos__transaction_lines') }}
),

identity_customer_ids as (
    select * from {{ ref('int_identity_customer_ids') }}
),

shop_items as (
    select
        order_id,
        sum(quantity) as item_count
    from shop_order_lines
    group by order_id
),

pos_items as (
    select
        transaction_id,
        sum(quantity) as item_count
    from pos_transaction_lines
    group by transaction_id
),

online_orders as (
    select
        shop_orders.order_id,
        'online' as channel,
        {{ dbt.concat(["'shop_orders:'", 'shop_orders.order_id']) }} as record_key,
        shop_orders.ordered_at,
        shop_orders.total_amount as order_revenue,
        shop_orders.currency,
        coalesce(shop_orders.status = 'cancelled', false) as is_cancelled,
        shop_items.item_count
    from shop_orders
    left join shop_items
        on shop_orders.order_id = shop_items.order_id
),

offline_orders as (
    select
        pos_transactions.transaction_id as order_id,
        'offline' as channel,
        {{ dbt.concat(["'pos_transactions:'", 'pos_transactions.transaction_id']) }} as record_key,
        pos_transactions.transaction_at as ordered_at,
        pos_transactions.total_amount as order_revenue,
        pos_transactions.currency,
        false as is_cancelled,
        pos_items.item_count
    from pos_transactions
    left join pos_items
        on pos_transactions.transaction_id = pos_items.transaction_id
),

unioned as (
    select * from online_orders
    union all
    select * from offline_orders
),

final as (
    select
        unioned.order_id,
        unioned.channel,
        identity_customer_ids.customer_id,
        unioned.ordered_at,
        cast(unioned.ordered_at as date) as order_date,
        unioned.order_revenue,
        unioned.currency,
        unioned.is_cancelled,
        unioned.item_count
    from unioned
    left join identity_customer_ids
        on unioned.record_key = identity_customer_ids.record_key
)

select * from final
