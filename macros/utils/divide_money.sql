{#-
  A money amount divided by a count (an average order value), as decimal(18,2) rounded half away from zero,
  the same cent on every engine. PostgreSQL and Spark divide decimals exactly; DuckDB divides them in double
  precision, where 72.445 is 72.44499..., so it works in whole cents there. Null when the count is 0 or null.
-#}
{% macro divide_money(amount, count) -%}
  {{ return(adapter.dispatch('divide_money', 'cdp')(amount, count)) }}
{%- endmacro %}

{% macro default__divide_money(amount, count) -%}
  cast({{ amount }} / nullif({{ count }}, 0) as {{ cdp.type_money() }})
{%- endmacro %}

{% macro duckdb__divide_money(amount, count) -%}
  cast(
    sign({{ amount }})
    * ((2 * abs(cast({{ amount }} * 100 as hugeint)) + {{ count }}) // (2 * nullif({{ count }}, 0)))
    * cast(0.01 as decimal(3, 2))
    as {{ cdp.type_money() }}
  )
{%- endmacro %}
