{#-
  String aggregation in the order of a key (e.g. a rank), the same text on every engine: 'Femme,Homme,Maison'
  for ranks 1, 2, 3. dbt.listagg's ORDER BY is ignored on Spark (collect_list keeps the shuffle's order), so the
  Spark variant sorts (key, value) pairs; ties on the key fall back to the value's binary order there, so give a
  key without ties (a row_number) for the same text everywhere.
-#}
{% macro listagg_ordered(measure, order_key, delimiter_text="','") -%}
  {{ return(adapter.dispatch('listagg_ordered', 'cdp')(measure, order_key, delimiter_text)) }}
{%- endmacro %}

{% macro default__listagg_ordered(measure, order_key, delimiter_text) -%}
  {{ dbt.listagg(measure, delimiter_text, 'order by ' ~ order_key) }}
{%- endmacro %}

{% macro spark__listagg_ordered(measure, order_key, delimiter_text) -%}
  array_join(
    transform(
      array_sort(collect_list(named_struct('sort_key', {{ order_key }}, 'sort_value', {{ measure }}))),
      sorted_pair -> sorted_pair.sort_value
    ),
    {{ delimiter_text }}
  )
{%- endmacro %}
