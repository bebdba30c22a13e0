{#-
  Regular expressions differ in three ways across our engines, so every model goes through these macros:
  - replace-all needs the 'g' flag on DuckDB and PostgreSQL (without it only the first match is replaced),
    while Spark always replaces all and takes no flag;
  - Spark string literals treat backslash as an escape character, so '\d' must be written '\\d' there;
  - back-references in the replacement are \1 on DuckDB/PostgreSQL and $1 on Spark.
  Patterns and replacements are therefore passed as Jinja strings (never as SQL literals) and written in the
  common subset of RE2, PostgreSQL ARE and Java regex: no look-arounds, no back-references inside patterns.
-#}

{% macro regex_literal(pattern) -%}
  {{ return(adapter.dispatch('regex_literal', 'cdp')(pattern)) }}
{%- endmacro %}

{% macro default__regex_literal(pattern) -%}
  '{{ pattern | replace("'", "''") }}'
{%- endmacro %}

{% macro spark__regex_literal(pattern) -%}
  '{{ pattern | replace("\\", "\\\\") | replace("'", "\\'") }}'
{%- endmacro %}


{% macro regexp_replace_all(expression, pattern, replacement) -%}
  {{ return(adapter.dispatch('regexp_replace_all', 'cdp')(expression, pattern, replacement)) }}
{%- endmacro %}

{% macro default__regexp_replace_all(expression, pattern, replacement) -%}
  regexp_replace({{ expression }}, {{ cdp.regex_literal(pattern) }}, {{ cdp.regex_literal(replacement) }}, 'g')
{%- endmacro %}

{% macro spark__regexp_replace_all(expression, pattern, replacement) -%}
  {%- set java_replacement = modules.re.sub('\\\\([0-9])', '$\\1', replacement) -%}
  regexp_replace({{ expression }}, {{ cdp.regex_literal(pattern) }}, {{ cdp.regex_literal(java_replacement) }})
{%- endmacro %}


{% macro regexp_matches(expression, pattern) -%}
  {{ return(adapter.dispatch('regexp_matches', 'cdp')(expression, pattern)) }}
{%- endmacro %}

{% macro default__regexp_matches(expression, pattern) -%}
  regexp_matches({{ expression }}, {{ cdp.regex_literal(pattern) }})
{%- endmacro %}

{% macro postgres__regexp_matches(expression, pattern) -%}
  ({{ expression }} ~ {{ cdp.regex_literal(pattern) }})
{%- endmacro %}

{% macro spark__regexp_matches(expression, pattern) -%}
  ({{ expression }} rlike {{ cdp.regex_literal(pattern) }})
{%- endmacro %}


{#- Like regexp_matches, but the pattern is a SQL expression (a column of a seed), not a Jinja string. -#}
{% macro regexp_matches_expression(expression, pattern_expression) -%}
  {{ return(adapter.dispatch('regexp_matches_expression', 'cdp')(expression, pattern_expression)) }}
{%- endmacro %}

{% macro default__regexp_matches_expression(expression, pattern_expression) -%}
  regexp_matches({{ expression }}, {{ pattern_expression }})
{%- endmacro %}

{% macro postgres__regexp_matches_expression(expression, pattern_expression) -%}
  ({{ expression }} ~ {{ pattern_expression }})
{%- endmacro %}

{% macro spark__regexp_matches_expression(expression, pattern_expression) -%}
  ({{ expression }} rlike {{ pattern_expression }})
{%- endmacro %}

{#- The text of capture group `group` of the first match, or null when there is no match. -#}
{% macro regexp_extract(expression, pattern, group=1) -%}
  {{ return(adapter.dispatch('regexp_extract', 'cdp')(expression, pattern, group)) }}
{%- endmacro %}

{% macro default__regexp_extract(expression, pattern, group) -%}
  nullif(regexp_extract({{ expression }}, {{ cdp.regex_literal(pattern) }}, {{ group }}), '')
{%- endmacro %}

{% macro postgres__regexp_extract(expression, pattern, group) -%}
  nullif((regexp_match({{ expression }}, {{ cdp.regex_literal(pattern) }}))[{{ group }}], '')
{%- endmacro %}
