{#-
  One row per customer (every customer of int_customers_golden): the product category to suggest next for
  cross-sell, from what the customer bought or viewed on or before the as-of date.
    1. co_purchase: among the categories the customer has not bought, the one most often bought by the
       customers who bought the same categories: the sum, over the customer's categories A, of the share of
       A's buyers who also bought it (the confidence of the association rule A -> B).
    2. viewed: a customer who bought nothing yet gets the category whose products they viewed most.
    3. popular: otherwise, the category with the most buyers (null once the customer bought every category).
  Ties go to the category with more buyers, then to the first name in binary order (the same on every
  engine). Lines of cancelled orders and returned units do not count.
-#}

with

customers as (
    select * from {{ ref('int_customers_golden') }}
),

orders as (
    select * from {{ ref('fct_orders') }}
),

shop_order_lines as (
    select * from {{ ref('stg_shop__order_lines') }}
),

pos_transaction_lines as (
    select * from {{ ref('stg_pos__transaction_lines') }}
),

products as (
    select * from {{ ref('stg_shop__products') }}
),

web_events as (
    select * from {{ ref('stg_web__events') }}
),

identity_customer_ids as (
    select * from {{ ref('int_identity_customer_ids') }}
),

snapshots as (
    select * from {{ ref('int_prediction_snapshots') }}
    where snapshot_role = 'scoring'
),

order_lines as (
    select
        'online' as channel,
        order_id,
        product_id,
        quantity
    from shop_order_lines
    union all
    select
        'offline' as channel,
        transaction_id as order_id,
        product_id,
        quantity
    from pos_transaction_lines
),

customer_categories_bought as (
    select
        orders.customer_id,
        products.category,
        count(*) as line_count
    from order_lines
    inner join orders
        on order_lines.channel = orders.channel and order_lines.order_id = orders.order_id
    inner join products
        on order_lines.product_id = products.product_id
    inner join snapshots
        on orders.order_date <= snapshots.snapshot_date
    where
        orders.customer_id is not null
        and not orders.is_cancelled
        and order_lines.quantity > 0
        and products.category is not null
    group by orders.customer_id, products.category
),

customer_categories_viewed as (
    select
        identity_customer_ids.customer_id,
        products.category,
        count(*) as view_count
    from web_events
    inner join identity_customer_ids
        on {{ dbt.concat(["'web_anonymous_ids:'", 'web_events.anonymous_id']) }} = identity_customer_ids.record_key
    inner join products
        on web_events.product_id = products.product_id
    inner join snapshots
        on cast(web_events.occurred_at as date) <= snapshots.snapshot_date
    where web_events.event_name = 'product_view' and products.category is not null
    group by identity_customer_ids.customer_id, products.category
),

category_buyers as (
    select
        category,
        count(*) as buyer_count
    from customer_categories_bought
    group by category
),

{# Confidence of "bought A -> also bought B": the share of A's buyers who bought B. #}
category_associations as (
    select
        bought_first.category as antecedent_category,
        bought_also.category as consequent_category,
        cast(count(*) as {{ cdp.type_double() }}) / max(category_buyers.buyer_count) as confidence
    from customer_categories_bought as bought_first
    inner join customer_categories_bought as bought_also
        on
            bought_first.customer_id = bought_also.customer_id
            and bought_first.category != bought_also.category
    inner join category_buyers
        on bought_first.category = category_buyers.category
    group by bought_first.category, bought_also.category
),

co_purchase_candidates as (
    select
        customer_categories_bought.customer_id,
        category_associations.consequent_category as category,
        sum(category_associations.confidence) as affinity,
        'co_purchase' as reason
    from customer_categories_bought
    inner join category_associations
        on customer_categories_bought.category = category_associations.antecedent_category
    left join customer_categories_bought as already_bought
        on
            customer_categories_bought.customer_id = already_bought.customer_id
            and category_associations.consequent_category = already_bought.category
    where already_bought.category is null
    group by customer_categories_bought.customer_id, category_associations.consequent_category
),

viewed_candidates as (
    select
        customer_categories_viewed.customer_id,
        customer_categories_viewed.category,
        cast(customer_categories_viewed.view_count as {{ cdp.type_double() }}) as affinity,
        'viewed' as reason
    from customer_categories_viewed
    left join customer_categories_bought
        on customer_categories_viewed.customer_id = customer_categories_bought.customer_id
    where customer_categories_bought.customer_id is null
),

popular_candidates as (
    select
        customers.customer_id,
        category_buyers.category,
        cast(0 as {{ cdp.type_double() }}) as affinity,
        'popular' as reason
    from customers
    cross join category_buyers
    left join customer_categories_bought
        on
            customers.customer_id = customer_categories_bought.customer_id
            and category_buyers.category = customer_categories_bought.category
    where customer_categories_bought.category is null
),

candidates as (
    select
        customer_id,
        category,
        affinity,
        reason,
        1 as reason_rank
    from co_purchase_candidates
    union all
    select
        customer_id,
        category,
        affinity,
        reason,
        2 as reason_rank
    from viewed_candidates
    union all
    select
        customer_id,
        category,
        affinity,
        reason,
        3 as reason_rank
    from popular_candidates
),

candidates_ranked as (
    select
        candidates.customer_id,
        candidates.category,
        candidates.affinity,
        candidates.reason,
        row_number() over (
            partition by candidates.customer_id
            order by
                candidates.reason_rank,
                candidates.affinity desc,
                category_buyers.buyer_count desc,
                {{ cdp.binary_order('candidates.category') }}
        ) as candidate_rank
    from candidates
    left join category_buyers
        on candidates.category = category_buyers.category
),

final as (
    select
        customers.customer_id,
        candidates_ranked.category as next_best_category,
        candidates_ranked.reason as next_best_category_reason,
        candidates_ranked.affinity as next_best_category_affinity
    from customers
    left join candidates_ranked
        on customers.customer_id = candidates_ranked.customer_id and candidates_ranked.candidate_rank = 1
)

select * from final
