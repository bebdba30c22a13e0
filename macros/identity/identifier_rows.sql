{#-
  The long-form identifier rows of one source table: one select per (identifier type, column), unioned.
  `identifiers` is a list of [identifier_type, column] pairs; nulls are skipped.
-#}
{% macro identifier_rows(relation, source_table, record_id, observed_at, identifiers) -%}
  {%- for identifier_type, column in identifiers %}
    select
        '{{ source_table }}' as source_table,
        {{ record_id }} as record_id,
        {{ identifier_type if identifier_type.startswith('(') else "'" ~ identifier_type ~ "'" }} as identifier_type,
        {{ column }} as identifier_value,
        {{ observed_at }} as observed_at
    from {{ relation }}
    where {{ column }} is not null
    {%- if not loop.last %}
    union all
    {%- endif %}
  {%- endfor %}
{%- endmacro %}
