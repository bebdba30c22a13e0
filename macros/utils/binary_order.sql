{#-
  A string expression to sort in binary (code point) order, as DuckDB and Spark always do: PostgreSQL sorts
  text with the database's collation (en_US puts 'a' before 'B' and ignores punctuation at first), so a tie
  broken on a key would pick a different row there. Use it in ORDER BY clauses that must give the same row
  on every engine.
-#}
{% macro binary_order(expression) -%}
  {{ return(adapter.dispatch('binary_order', 'cdp')(expression)) }}
{%- endmacro %}

{% macro default__binary_order(expression) -%}
  {{ expression }}
{%- endmacro %}

{% macro postgres__binary_order(expression) -%}
  {{ expression }} collate "C"
{%- endmacro %}
