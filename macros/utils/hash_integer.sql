{#-
  A 64-bit fingerprint of a value, as an integer: the same value gets the same integer in every run on one
  engine (not across engines: where that matters, use dbt.hash, md5 text everywhere, as segment holdouts
  do). Joins and groups on it are several times faster than on strings. Two values share one with
  probability about n^2 / 2^65 for n values (3e-6 for ten million); where that would matter, test it for
  uniqueness.
-#}
{% macro hash_integer(expression) -%}
  {{ return(adapter.dispatch('hash_integer', 'cdp')(expression)) }}
{%- endmacro %}

{#- Snowflake: a signed 64-bit integer. -#}
{% macro default__hash_integer(expression) -%}
  hash({{ expression }})
{%- endmacro %}

{#-
  DuckDB: the upper half of md5, as an unsigned 64-bit integer. Its hash() is built for hash tables, not as a
  fingerprint: strings that differ at the same place of two 8-byte words can share it ('meuniers@live.fe'
  and 'meunierl@live.fr' do). md5_number costs 0.06 s per million strings on two cores.
-#}
{% macro duckdb__hash_integer(expression) -%}
  cast(md5_number(cast({{ expression }} as varchar)) >> 64 as ubigint)
{%- endmacro %}

{% macro postgres__hash_integer(expression) -%}
  hashtextextended(cast({{ expression }} as text), 0)
{%- endmacro %}

{% macro spark__hash_integer(expression) -%}
  xxhash64({{ expression }})
{%- endmacro %}

{% macro bigquery__hash_integer(expression) -%}
  farm_fingerprint(cast({{ expression }} as string))
{%- endmacro %}


{#- A pseudo-random bucket, 0 to bucket_count - 1: for sampling, where two values sharing a bucket is the point. -#}
{% macro hash_bucket(expression, bucket_count) -%}
  {{ return(adapter.dispatch('hash_bucket', 'cdp')(expression, bucket_count)) }}
{%- endmacro %}

{#- A signed hash: the modulo comes first, so abs() cannot overflow. -#}
{% macro default__hash_bucket(expression, bucket_count) -%}
  abs(mod({{ cdp.hash_integer(expression) }}, {{ bucket_count }}))
{%- endmacro %}

{#- DuckDB: its own hash(), which spreads values evenly and costs a seventh of md5. -#}
{% macro duckdb__hash_bucket(expression, bucket_count) -%}
  cast(hash({{ expression }}) % cast({{ bucket_count }} as ubigint) as bigint)
{%- endmacro %}

{% macro spark__hash_bucket(expression, bucket_count) -%}
  pmod({{ cdp.hash_integer(expression) }}, {{ bucket_count }})
{%- endmacro %}
