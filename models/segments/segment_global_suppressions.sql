{#-
  The global suppression list resolved to customers, as segments read it (segments/_settings.yml,
  global_suppression_model). Resolved once in the intermediate layer (int_customers_globally_suppressed),
  where dim_customers also takes its is_test_account flag from.
-#}

with

globally_suppressed as (
    select * from {{ ref('int_customers_globally_suppressed') }}
),

final as (
    select
        customer_id,
        is_internal_account,
        is_suppressed,
        suppression_reasons
    from globally_suppressed
)

select * from final
