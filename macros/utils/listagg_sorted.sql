{#-
  String aggregation in ascending (binary) order of the values themselves, so the text is the same on every
  engine and every run (e.g. the source tables a customer was seen in). dbt.listagg ignores its ORDER BY on Spark
  (collect_list keeps whatever order the shuffle produced), hence the Spark variant sorts the array.
  Duplicates are kept: aggregate distinct rows to get a distinct list.
-#}
{% macro listagg_sorted(measure, delimiter_text="','") -%}
  {{ return(adapter.dispatch('listagg_sorted', 'cdp')(measure, delimiter_text)) }}
{%- endmacro %}

{% macro default__listagg_sorted(measure, delimiter_text) -%}
  {{ dbt.listagg(measure, delimiter_text, 'order by ' ~ cdp.binary_order(measure)) }}
{%- endmacro %}

{% macro spark__listagg_sorted(measure, delimiter_text) -%}
  array_join(array_sort(collect_list({{ measure }})), {{ delimiter_text }})
{%- endmacro %}
