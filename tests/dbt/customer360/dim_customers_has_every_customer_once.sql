{#-
  dim_customers holds every customer of identity resolution exactly once, and no other id: a customer missing
  from the Customer 360 could never be activated (or removed after an erasure). Fails with the ids that are
  missing or extra.
-#}

with

customer_ids as (
    select distinct customer_id from {{ ref('int_identity_customer_ids') }}
),

dim_customers as (
    select customer_id from {{ ref('dim_customers') }}
),

missing as (
    select
        customer_ids.customer_id,
        'missing from dim_customers' as problem
    from customer_ids
    left join dim_customers
        on customer_ids.customer_id = dim_customers.customer_id
    where dim_customers.customer_id is null
),

extra as (
    select
        dim_customers.customer_id,
        'not a customer of int_identity_customer_ids' as problem
    from dim_customers
    left join customer_ids
        on dim_customers.customer_id = customer_ids.customer_id
    where customer_ids.customer_id is null
),

final as (
    select * from missing
    union all
    select * from extra
)

select * from final
