{#-
  Every line of every online order and in-store receipt, with product, category and brand from the catalogue
  and the order's customer, channel and status (int_order_lines_unioned). No personal data beyond the
  pseudonymous customer_id.
-#}

with

order_lines as (
    select * from {{ ref('int_order_lines_unioned') }}
),

final as (
    select
        order_line_id,
        source_table,
        source_order_line_id,
        order_id,
        channel,
        customer_id,
        ordered_at,
        order_date,
        is_cancelled,
        is_purchase,
        product_id,
        product_name,
        category,
        subcategory,
        brand,
        quantity,
        unit_price,
        line_discount_amount,
        line_revenue,
        currency
    from order_lines
)

select * from final
