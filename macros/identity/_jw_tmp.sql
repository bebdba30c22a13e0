{% macro jw_tmp(left, right) -%}
  jaro_winkler_similarity({{ left }}, {{ right }})
{%- endmacro %}
