{#-
  The engine's own 64-bit hash of a value, as an integer: the same value gets the same integer in every run
  on one engine (not across engines: where that matters, use dbt.hash, md5 everywhere, as segment holdouts
  do). It costs a fraction of md5 text, and joins and groups on it are several times faster than on strings.
  Two values may share a hash (about n^2 / 2^65 for n values: 3e-6 for ten million); where that would matter,
  test the hash for uniqueness.
-#}
{% macro hash_integer(expression) -%}
  {{ return(adapter.dispatch('hash_integer', 'cdp')(expression)) }}
{%- endmacro %}

{#- Snowflake: a signed 64-bit integer. -#}
{% macro default__hash_integer(expression) -%}
  hash({{ expression }})
{%- endmacro %}

{#- DuckDB: an unsigned 64-bit integer. -#}
{% macro duckdb__hash_integer(expression) -%}
  hash({{ expression }})
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


{#- A pseudo-random bucket, 0 to bucket_count - 1, from cdp.hash_integer: it suits sampling. -#}
{% macro hash_bucket(expression, bucket_count) -%}
  {{ return(adapter.dispatch('hash_bucket', 'cdp')(expression, bucket_count)) }}
{%- endmacro %}

{#- A signed hash: the modulo comes first, so abs() cannot overflow. -#}
{% macro default__hash_bucket(expression, bucket_count) -%}
  abs(mod({{ cdp.hash_integer(expression) }}, {{ bucket_count }}))
{%- endmacro %}

{% macro duckdb__hash_bucket(expression, bucket_count) -%}
  cast({{ cdp.hash_integer(expression) }} % cast({{ bucket_count }} as ubigint) as bigint)
{%- endmacro %}

{% macro spark__hash_bucket(expression, bucket_count) -%}
  pmod({{ cdp.hash_integer(expression) }}, {{ bucket_count }})
{%- endmacro %}
