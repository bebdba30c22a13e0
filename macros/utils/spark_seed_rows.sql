{#-
  How seed rows reach a Spark table. dbt looks for `spark__load_csv_rows` in the root project first.

  On an in-process Spark session (the `session` connection method: dbt and the Spark driver share one machine
  and one file system), INSERT ... VALUES statements of literal rows are slow: Catalyst analyses every literal,
  and the sample's 78,000 seed rows took over two minutes on two cores. Here the driver reads
  the seed file itself with Spark's CSV reader, every column as text, and one INSERT ... SELECT casts each
  column to the type dbt inferred (or the `column_types` override), reading nulls as dbt does: a value that
  is blank or `null` (any case) once trimmed is null.

  The reader must see exactly the rows dbt parsed: the load stops with an error naming the seed when the
  counts differ (FAILFAST also stops it at the first malformed line). Every other connection method reaches a
  cluster that cannot read this machine's files, so it gets INSERT ... VALUES statements (below).
-#}
{% macro spark__load_csv_rows(model, agate_table) %}
  {%- if adapter.config.credentials.method != 'session' -%}
    {{ return(cdp.spark_insert_seed_values(model, agate_table)) }}
  {%- endif -%}

  {%- set column_types = cdp.seed_column_types(model, agate_table) -%}
  {%- set seed_path = model['root_path'] ~ '/' ~ model['original_file_path'] -%}
  {%- set seed_file_view = 'cdp_seed_file_' ~ model['name'] -%}

  {% call statement('cdp_read_seed_file') -%}
    create or replace temporary view {{ seed_file_view }}
    using csv
    options (
      path '{{ seed_path | replace("'", "\\'") }}',
      header 'true',
      inferSchema 'false',
      multiLine 'true',
      escape '"',
      delimiter '{{ model["config"].get("delimiter", ",") }}',
      encoding 'UTF-8',
      mode 'FAILFAST'
    )
  {%- endcall %}

  {%- set counted = run_query('select count(*) from ' ~ seed_file_view).columns[0].values()[0] -%}
  {%- if counted != (agate_table.rows | length) -%}
    {{ exceptions.raise_compiler_error(
        "Seed " ~ model['name'] ~ " (" ~ model['original_file_path'] ~ "): Spark's CSV reader found "
        ~ counted ~ " rows where dbt parsed " ~ (agate_table.rows | length)
        ~ "; check quoting and line breaks in the file."
    ) }}
  {%- endif -%}

  {%- set sql -%}
    insert into {{ this.render() }}
    select
    {%- for column_name in agate_table.column_names %}
      {%- set text = '`' ~ column_name ~ '`' %}
      cast(
        case when lower(regexp_replace({{ text }}, '^\\s+|\\s+$', '')) in ('', 'null') then null else {{ text }} end
        as {{ column_types[loop.index0] }}
      ){%- if not loop.last %},{% endif %}
    {%- endfor %}
    from {{ seed_file_view }}
  {%- endset -%}

  {% call statement('cdp_insert_seed_rows') -%}
    {{ sql }}
  {%- endcall %}
  {% call statement('cdp_drop_seed_file_view') -%}
    drop view if exists {{ seed_file_view }}
  {%- endcall %}

  {{ return(sql) }}
{% endmacro %}


{#-
  INSERT ... VALUES with escaped literals. dbt-spark 1.11's own version substitutes the values with Python's
  `%` operator, without escaping, so any value with an apostrophe (O'Connor, rue de l'Église) breaks the
  statement, and an empty cell arrives as the text 'None'.
-#}
{% macro spark_insert_seed_values(model, agate_table) %}
  {%- set batch_size = get_batch_size() -%}
  {%- set column_types = cdp.seed_column_types(model, agate_table) -%}
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


{#- Each seed column's type, in file order: the `column_types` override, else the type dbt inferred. -#}
{% macro seed_column_types(model, agate_table) %}
  {%- set column_override = model['config'].get('column_types', {}) -%}
  {%- set column_types = [] -%}
  {%- for column_name in agate_table.column_names -%}
    {%- do column_types.append(column_override.get(column_name, adapter.convert_type(agate_table, loop.index0))) -%}
  {%- endfor -%}
  {{ return(column_types) }}
{% endmacro %}
