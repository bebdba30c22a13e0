{#-
  Integrity test between layers: a staging model must have exactly as many rows as its source table
  (staging never filters, joins or aggregates, so a difference means rows were lost or fanned out).
  An absent optional source counts as zero rows, like its staging model.
-#}
{% test row_count_matches_source(model, source_name, table_name) %}
  {%- set source_relation = source(source_name, table_name) -%}
  {%- set existing_relation = load_relation(source_relation) if execute else none -%}
  with

  staged as (
      select count(*) as row_count from {{ model }}
  ),

  raw_rows as (
      {%- if existing_relation is not none %}
      select count(*) as row_count from {{ existing_relation }}
      {%- else %}
      select 0 as row_count
      {%- endif %}
  )

  select
      staged.row_count as staged_rows,
      raw_rows.row_count as raw_rows
  from staged
  cross join raw_rows
  where staged.row_count != raw_rows.row_count
{% endtest %}
