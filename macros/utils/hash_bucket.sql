{#-
  A pseudo-random bucket, 0 to bucket_count - 1, from the engine's own 64-bit hash of a value: the same value
  gets the same bucket in every run on one engine (not across engines: where that matters, use dbt.hash, md5
  everywhere, as segment holdouts do). An integer hash costs a fraction of md5 text, so it suits sampling.
-#}
{% macro hash_bucket(expression, bucket_count) -%}
  {{ return(adapter.dispatch('hash_bucket', 'cdp')(expression, bucket_count)) }}
{%- endmacro %}

{#- Snowflake: hash() is a signed 64-bit integer (the modulo comes first, so abs() cannot overflow). -#}
{% macro default__hash_bucket(expression, bucket_count) -%}
  abs(mod(hash({{ expression }}), {{ bucket_count }}))
{%- endmacro %}

{#- DuckDB: hash() is an unsigned 64-bit integer. -#}
{% macro duckdb__hash_bucket(expression, bucket_count) -%}
  cast(hash({{ expression }}) % cast({{ bucket_count }} as ubigint) as bigint)
{%- endmacro %}

{% macro postgres__hash_bucket(expression, bucket_count) -%}
  abs(mod(hashtextextended(cast({{ expression }} as text), 0), {{ bucket_count }}))
{%- endmacro %}

{% macro spark__hash_bucket(expression, bucket_count) -%}
  pmod(xxhash64({{ expression }}), {{ bucket_count }})
{%- endmacro %}

{% macro bigquery__hash_bucket(expression, bucket_count) -%}
  abs(mod(farm_fingerprint(cast({{ expression }} as string)), {{ bucket_count }}))
{%- endmacro %}
