{#-
  Every calendar day from start_column to end_column (both included) of `relation`, a one-row relation or CTE,
  as a select of one date column `date_day`: the spine KPI tables hang their days on, so a day without any
  activity still has its row. Null or reversed bounds give no rows.
  dbt.date_spine is not used: it counts the days with a query at compile time, so `dbt compile` and
  `dbt docs generate` would need the upstream tables built, and its bounds cannot come from a model.

    {{ cdp.date_spine('bounds', 'first_date', 'last_date') }}
-#}
{% macro date_spine(relation, start_column, end_column) -%}
  {%- for argument in [relation, start_column, end_column] -%}
    {%- if argument is not string or argument | trim == '' -%}
      {{ exceptions.raise_compiler_error("cdp.date_spine(relation, start_column, end_column): every argument must be a name, got: " ~ argument) }}
    {%- endif -%}
  {%- endfor -%}
  {{ return(adapter.dispatch('date_spine', 'cdp')(relation, start_column, end_column)) }}
{%- endmacro %}

{#- Portable: day offsets 0..99999 (273 years) from five cross-joined digit lists. -#}
{% macro default__date_spine(relation, start_column, end_column) -%}
  {%- set digits = "select 0 as digit union all select 1 union all select 2 union all select 3 union all select 4 union all select 5 union all select 6 union all select 7 union all select 8 union all select 9" -%}
  select
      cast({{ dbt.dateadd('day', 'day_offsets.day_offset', 'spine_bounds.' ~ start_column) }} as date) as date_day
  from {{ relation }} as spine_bounds
  cross join (
      select
          units.digit + 10 * tens.digit + 100 * hundreds.digit + 1000 * thousands.digit
          + 10000 * ten_thousands.digit as day_offset
      from ({{ digits }}) as units
      cross join ({{ digits }}) as tens
      cross join ({{ digits }}) as hundreds
      cross join ({{ digits }}) as thousands
      cross join ({{ digits }}) as ten_thousands
  ) as day_offsets
  where day_offsets.day_offset <= {{ dbt.datediff('spine_bounds.' ~ start_column, 'spine_bounds.' ~ end_column, 'day') }}
{%- endmacro %}

{% macro duckdb__date_spine(relation, start_column, end_column) -%}
  select cast(day_at as date) as date_day
  from (
      select
          unnest(generate_series(
              cast({{ start_column }} as timestamp), cast({{ end_column }} as timestamp), interval 1 day
          )) as day_at
      from {{ relation }}
  ) as spine_days
{%- endmacro %}

{% macro postgres__date_spine(relation, start_column, end_column) -%}
  select cast(spine_days.day_at as date) as date_day
  from {{ relation }} as spine_bounds
  cross join lateral generate_series(
      cast(spine_bounds.{{ start_column }} as timestamp),
      cast(spine_bounds.{{ end_column }} as timestamp),
      interval '1 day'
  ) as spine_days (day_at)
{%- endmacro %}

{#- sequence() fails on reversed bounds with a negative step, hence the guard. -#}
{% macro spark__date_spine(relation, start_column, end_column) -%}
  select explode(sequence(cast({{ start_column }} as date), cast({{ end_column }} as date), interval 1 day)) as date_day
  from {{ relation }}
  where {{ start_column }} <= {{ end_column }}
{%- endmacro %}
