{#-
  The first CTE of every staging model: the columns the source contract declares (in the source's YAML), read
  as text, from the table the user pointed the project at.

  Why: EL tools type columns differently (a phone loaded as an integer loses its leading zero, a date may
  arrive as text or as a timestamp), so staging reads text and parses it itself; a source may lack optional
  columns; and an optional source may not exist at all. Here:
  - a declared column missing from the table is read as null, unless it is marked `meta: {cdp_required: true}`,
    which stops the build with an error naming the table and the column;
  - a missing table marked `meta: {cdp_optional: true}` yields an empty result with the declared columns, so
    the whole project still builds; a missing required table stops the build, naming the vars to set;
  - columns the contract does not declare are left out of staging (EL tools add their own, e.g. _fivetran_synced).
-#}
{% macro select_source_columns(source_name, table_name) -%}
  {{ return(adapter.dispatch('select_source_columns', 'cdp')(source_name, table_name)) }}
{%- endmacro %}

{% macro default__select_source_columns(source_name, table_name) -%}
  {#- Calling source() unconditionally registers the lineage during parsing. -#}
  {%- set source_relation = source(source_name, table_name) -%}
  {%- if not execute -%}
    select 1 as parsing_placeholder
  {%- elif graph.get('sources') is none -%}
    select * from {{ source_relation }}
  {%- else -%}
    {%- set source_node = cdp.get_source_node(source_name, table_name) -%}
    {%- set declared_columns = source_node.columns.values() | list -%}
    {%- if declared_columns | length == 0 -%}
      {{ exceptions.raise_compiler_error("Source " ~ source_name ~ "." ~ table_name ~ " declares no columns in its YAML: the staging layer reads only declared columns.") }}
    {%- endif -%}
    {%- set existing_relation = load_relation(source_relation) -%}
    {%- if existing_relation is none -%}
      {%- if source_node.meta.get('cdp_optional', false) or source_node.source_meta.get('cdp_optional', false) -%}
        {{ log("Optional source " ~ source_name ~ "." ~ table_name ~ " not found at " ~ source_relation ~ ": staging it as an empty table.", info=true) }}
        select
          {%- for column in declared_columns %}
          cast(null as {{ dbt.type_string() }}) as {{ column.name }}{{ "," if not loop.last }}
          {%- endfor %}
        where 1 = 0
      {%- else -%}
        {{ exceptions.raise_compiler_error(
            "Required source table " ~ source_name ~ "." ~ table_name ~ " was not found at " ~ source_relation
            ~ ". Point the project at it with the vars cdp_" ~ source_name ~ "_schema and cdp_" ~ source_name ~ "_"
            ~ table_name ~ "_identifier (or cdp_raw_schema), or load the sample data with `dbt seed`.") }}
      {%- endif -%}
    {%- else -%}
      {%- set actual_columns = {} -%}
      {%- for column in adapter.get_columns_in_relation(existing_relation) -%}
        {%- do actual_columns.update({column.name | lower: column.name}) -%}
      {%- endfor -%}
      {%- for column in declared_columns -%}
        {%- if column.name | lower not in actual_columns and column.meta.get('cdp_required', false) -%}
          {{ exceptions.raise_compiler_error(
              "Source table " ~ source_name ~ "." ~ table_name ~ " (" ~ existing_relation ~ ") has no column '"
              ~ column.name ~ "', which the source contract marks as required. Columns found: "
              ~ (actual_columns.values() | list | join(', '))) }}
        {%- endif -%}
      {%- endfor %}
        select
          {%- for column in declared_columns %}
          {%- if column.name | lower in actual_columns %}
          cast({{ adapter.quote(actual_columns[column.name | lower]) }} as {{ dbt.type_string() }}) as {{ column.name }}
          {%- else %}
          cast(null as {{ dbt.type_string() }}) as {{ column.name }}
          {%- endif %}{{ "," if not loop.last }}
          {%- endfor %}
        from {{ existing_relation }}
    {%- endif -%}
  {%- endif -%}
{%- endmacro %}


{% macro get_source_node(source_name, table_name) -%}
  {%- for node in graph.sources.values() -%}
    {%- if node.source_name == source_name and node.name == table_name -%}
      {{ return(node) }}
    {%- endif -%}
  {%- endfor -%}
  {{ exceptions.raise_compiler_error("No source named " ~ source_name ~ "." ~ table_name ~ " is declared.") }}
{%- endmacro %}
