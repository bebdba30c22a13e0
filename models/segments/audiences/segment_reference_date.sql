{#- Generated from segments/_settings.yml by `activation segments compile`: do not edit
    (edit the definition, then recompile). -#}

with

customers as (
    select * from {{ ref('dim_customers') }}
),

final as (
    select cast(max(customers.as_of_date) as date) as as_of_date
    from customers
)

select * from final
