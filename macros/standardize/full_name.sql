{#-
  Matching key for a full name held in one field, in any order: "DUPONT Jean", "Jean Dupont" and
  "jean  dupont" all give "dupont jean" (accents and punctuation removed, tokens sorted).
  Sorting a split string needs each engine's array functions, hence the dispatch.
-#}
{% macro full_name_match_key(expression) -%}
  {%- if not execute %}{{ return('') }}{% endif -%}
  {{ return(adapter.dispatch('full_name_match_key', 'cdp')(expression)) }}
{%- endmacro %}

{% macro full_name_tokens(expression) -%}
  trim({{ cdp.regexp_replace_all(
      cdp.regexp_replace_all(cdp.strip_accents('lower(' ~ cdp.clean_text(expression) ~ ')'), "['’]", ''),
      '[^a-z]+', ' ') }})
{%- endmacro %}

{% macro default__full_name_match_key(expression) -%}
  nullif(array_to_string(list_sort(string_split({{ cdp.full_name_tokens(expression) }}, ' ')), ' '), '')
{%- endmacro %}

{% macro postgres__full_name_match_key(expression) -%}
  nullif(array_to_string(array(
    select name_token from unnest(string_to_array({{ cdp.full_name_tokens(expression) }}, ' ')) as name_token
    order by name_token
  ), ' '), '')
{%- endmacro %}

{% macro spark__full_name_match_key(expression) -%}
  nullif(array_join(array_sort(split({{ cdp.full_name_tokens(expression) }}, ' ')), ' '), '')
{%- endmacro %}
