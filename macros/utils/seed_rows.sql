{#-
  Seed rows for adapters on dbt's default loader (PostgreSQL among them): the same batches of INSERT ... VALUES
  with bound parameters, with the placeholders written once per batch. dbt's own version calls the
  get_binding_char() macro for every cell, and a dbt macro call costs a fraction of a millisecond: the sample's
  ads_spend (15,833 rows of 8 columns) took 72 s to seed on PostgreSQL in a loaded CI run.
  dbt looks for `default__load_csv_rows` in the root project first; adapters with a loader of their own
  (DuckDB, and Spark in spark_seed_rows.sql) keep theirs.
-#}
{% macro default__load_csv_rows(model, agate_table) %}
  {%- set batch_size = get_batch_size() -%}
  {%- set columns_sql = get_seed_column_quoted_csv(model, agate_table.column_names) -%}
  {%- set row_placeholders = '(' ~ ([get_binding_char()] * (agate_table.column_names | length)) | join(', ') ~ ')' -%}
  {%- set statements = [] -%}
  {%- for chunk in agate_table.rows | batch(batch_size) -%}
    {%- set bindings = [] -%}
    {%- for row in chunk -%}
      {%- do bindings.extend(row) -%}
    {%- endfor -%}
    {%- set sql = 'insert into ' ~ this.render() ~ ' (' ~ columns_sql ~ ') values\n'
        ~ ([row_placeholders] * (chunk | length)) | join(',\n') -%}
    {%- do adapter.add_query(sql, bindings=bindings, abridge_sql_log=True) -%}
    {%- if loop.first -%}{%- do statements.append(sql) -%}{%- endif -%}
  {%- endfor -%}
  {{ return(statements[0] if statements else '') }}
{% endmacro %}
