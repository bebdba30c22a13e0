{#-
  An 8-byte floating point type. dbt's type_float() is 'float', which is 4 bytes on DuckDB and Spark:
  probabilities and model parameters computed in it lose digits after the 7th.
-#}
{% macro type_double() -%}
  {{ return(adapter.dispatch('type_double', 'cdp')()) }}
{%- endmacro %}

{% macro default__type_double() -%}
  double precision
{%- endmacro %}

{% macro duckdb__type_double() -%}
  double
{%- endmacro %}

{% macro spark__type_double() -%}
  double
{%- endmacro %}
