{#-
  Seeds on Spark's session method: dbt-spark 1.11 substitutes seed values into its INSERT with Python's `%`
  operator, without escaping, so any value with an apostrophe (O'Connor, rue de l'Église) breaks the
  statement, and an empty cell arrives as the text 'None'. dbt looks for `spark__load_csv_rows` in the root
  project first, so this version writes each value as an escaped literal (or null) instead.
-#}
{% macro spark__load_csv_rows(model, agate_table) %}
  {%- set batch_size = get_batch_size() -%}
  {%- set column_override = model['config'].get('column_types', {}) -%}
  {%- set column_types = [] -%}
  {%- for column_name in agate_table.column_names -%}
    {%- do column_types.append(column_override.get(column_name, adapter.convert_type(agate_table, loop.index0))) -%}
  {%- endfor -%}
  {%- set statements = [] -%}
  {%- for chunk in agate_table.rows | batch(batch_size) -%}
    {%- set sql -%}
      insert into {{ this.render() }} values
      {% for row in chunk -%}
        ({%- for value in row -%}
          {%- if value is none -%}
            cast(null as {{ column_types[loop.index0] }})
          {%- else -%}
            cast('{{ value | string | replace("\\", "\\\\") | replace("'", "\\'") }}' as {{ column_types[loop.index0] }})
          {%- endif -%}
          {{- "," if not loop.last -}}
        {%- endfor -%}){{ "," if not loop.last }}
      {% endfor %}
    {%- endset -%}
    {%- do adapter.add_query(sql, abridge_sql_log=True) -%}
    {%- if loop.first -%}{%- do statements.append(sql) -%}{%- endif -%}
  {%- endfor -%}
  {{ return(statements[0] if statements else '') }}
{% endmacro %}
