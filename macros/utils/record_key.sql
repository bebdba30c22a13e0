{#-
  The identity layer's name of a source record, '<source_table>:<record_id>' (int_identity_records), to join a
  source row to its customer in int_identity_customer_ids. source_table is a table name as identity spells it
  (shop_orders, pos_transactions, web_anonymous_ids, ...); record_id a SQL expression.
-#}
{% macro record_key(source_table, record_id) -%}
  {%- if source_table is not string or not modules.re.match('^[a-z_]+$', source_table) -%}
    {{ exceptions.raise_compiler_error("cdp.record_key: source_table must be an identity source table name such as 'shop_orders', got: " ~ source_table) }}
  {%- endif -%}
  {{ dbt.concat(["'" ~ source_table ~ "'", "':'", record_id]) }}
{%- endmacro %}
