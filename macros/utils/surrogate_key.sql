{#-
  A deterministic key from several columns: the same inputs give the same key on every engine
  (dbt.hash is md5 hex everywhere). Nulls and empty strings hash differently, and a separator keeps
  ('ab', 'c') apart from ('a', 'bc').
-#}
{% macro surrogate_key(expressions) -%}
  {%- if expressions is string or expressions | length == 0 -%}
    {{ exceptions.raise_compiler_error("cdp.surrogate_key expects a non-empty list of SQL expressions, got: " ~ expressions) }}
  {%- endif -%}
  {%- set parts = [] -%}
  {%- for expression in expressions -%}
    {%- do parts.append("coalesce(cast(" ~ expression ~ " as " ~ dbt.type_string() ~ "), '_cdp_null_')") -%}
    {%- if not loop.last -%}{%- do parts.append("'|'") -%}{%- endif -%}
  {%- endfor -%}
  {{ dbt.hash(dbt.concat(parts)) }}
{%- endmacro %}
