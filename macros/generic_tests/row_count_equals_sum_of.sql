{#-
  Integrity test between layers: a model that unions other models (fct_orders = shop orders + till receipts)
  must have exactly as many rows as they have together; a difference means rows were lost or fanned out by a
  join. `models` is a list of model names.

    data_tests:
      - cdp.row_count_equals_sum_of:
          arguments:
            models: [stg_shop__orders, stg_pos__transactions]
-#}
{% test row_count_equals_sum_of(model, models) %}
  {%- if models is string or models | length == 0 -%}
    {{ exceptions.raise_compiler_error("cdp.row_count_equals_sum_of: models must be a non-empty list of model names, got: " ~ models) }}
  {%- endif -%}
  with

  model_rows as (
      select count(*) as row_count from {{ model }}
  ),

  part_rows as (
      {%- for name in models %}
      select count(*) as row_count from {{ ref(name) }}
      {%- if not loop.last %}
      union all
      {%- endif %}
      {%- endfor %}
  ),

  expected as (
      select sum(row_count) as row_count from part_rows
  )

  select
      model_rows.row_count as model_rows,
      expected.row_count as expected_rows
  from model_rows
  cross join expected
  where model_rows.row_count != expected.row_count
{% endtest %}
