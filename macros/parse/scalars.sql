{#-
  Parsing of scalar text values (booleans, integers) and the helpers the other parsing macros share.

  Every macro returns one SQL expression, is null-safe and never raises at run time: PostgreSQL raises on a
  bad cast and Spark runs in ANSI mode, so a value is only cast after a regular expression has proved it
  castable, and always inside a CASE branch (engines evaluate CASE branches lazily, row by row).
-#}


{#-
  Evaluates `value` once and makes it available as `name` inside `body` (a SQL expression that refers to
  `name` as if it were a column).

  Why: the parsers test one cleaned text against several shapes; substituted textually, the cleaning
  expression would be copied into every test (and nested bindings multiply: compiled SQL grows to megabytes),
  and DuckDB and PostgreSQL would evaluate every copy (neither eliminates common sub-expressions inside
  CASE). DuckDB and Spark bind the value with a lambda over a one-element list; the default (PostgreSQL and
  other engines) is a scalar sub-query over a one-row derived table, whose `offset 0` stops PostgreSQL from
  flattening it, which would copy the value back into every reference (measured: 36 s instead of 1 s for
  20,000 timestamps).

  `name` must be a plain identifier that occurs nowhere else in `body`, and no name may contain another.
-#}
{% macro let_expression(name, value, body) -%}
  {{ return(adapter.dispatch('let_expression', 'cdp')(name, value, body)) }}
{%- endmacro %}

{% macro default__let_expression(name, value, body) -%}
  (select {{ body | replace(name, name ~ '_scope.v') }} from (select {{ value }} as v offset 0) as {{ name }}_scope)
{%- endmacro %}

{% macro duckdb__let_expression(name, value, body) -%}
  list_transform([{{ value }}], lambda {{ name }}: {{ body }})[1]
{%- endmacro %}

{% macro spark__let_expression(name, value, body) -%}
  transform(array({{ value }}), {{ name }} -> {{ body }})[0]
{%- endmacro %}


{#-
  Binds the capture groups of `pattern` (a Jinja string) matched against `text` for `body`, which refers to
  group k as `<name>_g01`, `<name>_g02`, ... (two digits): the group's text, or '' when the group took no part
  in the match. The caller checks that `text` matches before using the groups.

  Why: PostgreSQL's regex engine is slow to extract captures (tens of microseconds a call for our patterns),
  so it extracts them all in one regexp_match; DuckDB does the same with a struct of named groups; elsewhere
  (Spark) each group is extracted where it is used.
-#}
{% macro let_regex_groups(name, text, pattern, group_count, body) -%}
  {{ return(adapter.dispatch('let_regex_groups', 'cdp')(name, text, pattern, group_count, body)) }}
{%- endmacro %}

{% macro default__let_regex_groups(name, text, pattern, group_count, body) -%}
  {%- set ns = namespace(body=body) -%}
  {%- for k in range(1, group_count + 1) -%}
    {%- set ns.body = ns.body | replace(name ~ '_g' ~ ('%02d' % k),
        'coalesce(' ~ cdp.regexp_extract(text, pattern, k) ~ ", '')") -%}
  {%- endfor -%}
  {{ ns.body }}
{%- endmacro %}

{% macro postgres__let_regex_groups(name, text, pattern, group_count, body) -%}
  {%- set ns = namespace(body=body) -%}
  {%- for k in range(1, group_count + 1) -%}
    {%- set ns.body = ns.body | replace(name ~ '_g' ~ ('%02d' % k), 'coalesce((' ~ name ~ ')[' ~ k ~ "], '')") -%}
  {%- endfor -%}
  {{ cdp.let_expression(name, 'regexp_match(' ~ text ~ ', ' ~ cdp.regex_literal(pattern) ~ ')', ns.body) }}
{%- endmacro %}

{% macro duckdb__let_regex_groups(name, text, pattern, group_count, body) -%}
  {%- set ns = namespace(body=body, fields=[]) -%}
  {%- for k in range(1, group_count + 1) -%}
    {%- set field = 'g' ~ ('%02d' % k) -%}
    {%- do ns.fields.append("'" ~ field ~ "'") -%}
    {%- set ns.body = ns.body | replace(name ~ '_' ~ field, 'struct_extract(' ~ name ~ ", '" ~ field ~ "')") -%}
  {%- endfor -%}
  {{ cdp.let_expression(name,
      'regexp_extract(' ~ text ~ ', ' ~ cdp.regex_literal(pattern) ~ ', [' ~ (ns.fields | join(', ')) ~ '])',
      ns.body) }}
{%- endmacro %}


{#-
  Text prepared for number parsing: cleaned (see clean_text), with the non-breaking, narrow no-break, thin
  and figure spaces that French and Swiss software use as thousands separators turned into plain spaces (the
  engines' \s does not match them), and typographic apostrophes (Swiss "1’234.50") made plain.
-#}
{% macro _number_text(expression) -%}
  upper({{ cdp.clean_text(cdp.regexp_replace_all(
      cdp.regexp_replace_all(dbt.cast(expression, dbt.type_string()), '[\u00a0\u202f\u2009\u2007]', ' '),
      '[\u2019\u00b4`]', "'")) }})
{%- endmacro %}


{#-
  The canonical form ("1234.56", "1234", ".5") of an unsigned number written `text` (a bound, prepared text,
  see _number_text), or null when it is not one of these shapes:
  - plain digits: "1234"; Swiss/German whole amounts "12.-" and "12,-";
  - digits grouped by 3 with one kind of separator and no decimals: "1 234", "1'234", "1.234.567", "1,234";
    a single "," or "." followed by exactly 3 digits is therefore a thousands separator ("1,234" = 1234),
    except after a lone zero ("0,125" = 0.125) or after 4+ digits ("1234,567" = 1234.567);
  - a decimal comma, optionally after groups of 3 separated by space, apostrophe or dot: "1234,56",
    "1 234,56", "1.234,56";
  - a decimal point, optionally after groups of 3 separated by space, apostrophe or comma: "1,234.56".
  Anything else ("12,34,5", "1.2.3", "12 34") is null.
-#}
{% macro _number_canonical(text) -%}
  case
    when {{ cdp.regexp_matches(text, '^0[.,][0-9]{3}$') }}
      then {{ dbt.concat(["'0.'", dbt.right(text, '3')]) }}
    when {{ cdp.regexp_matches(text,
        "^[0-9]+$|^[0-9]+[.,]-$|^[0-9]{1,3}([.][0-9]{3})+$|^[0-9]{1,3}(,[0-9]{3})+$|^[0-9]{1,3}([ '][0-9]{3})+$") }}
      then {{ cdp.regexp_replace_all(text, '[^0-9]', '') }}
    when {{ cdp.regexp_matches(text, "^([0-9]{1,3}([ '.][0-9]{3})+|[0-9]*),[0-9]+$") }}
      then replace({{ cdp.regexp_replace_all(text, "[ '.]", '') }}, ',', '.')
    when {{ cdp.regexp_matches(text, "^([0-9]{1,3}([ ',][0-9]{3})+|[0-9]*)[.][0-9]+$") }}
      then {{ cdp.regexp_replace_all(text, "[ ',]", '') }}
  end
{%- endmacro %}


{#- The sign ('-' or '') of a prepared number text, or null when the text has several signs. -#}
{% macro _number_sign(text) -%}
  case
    when {{ cdp.regexp_matches(text, '^[+-] ?[+-]') }} then null
    when {{ text }} like '-%' then '-'
    else ''
  end
{%- endmacro %}

{#- A prepared number text without its leading sign. -#}
{% macro _number_unsigned(text) -%}
  {{ cdp.regexp_replace_all(text, '^[+-] ?', '') }}
{%- endmacro %}


{#- ---------------------------------------------------------------------------------------------------- -#}
{#-  Integers                                                                                              -#}
{#- ---------------------------------------------------------------------------------------------------- -#}

{#-
  A bigint, or null. Accepts an optional sign, the number shapes of _number_canonical (so "1 234", "1,234"
  and "1.234" are 1234: a separator followed by exactly 3 digits groups thousands, as for money) and a
  fraction of zeros only ("12.0", "12,00" = 12). "12.5" is not an integer and gives null, as do values of
  more than 18 significant digits (outside bigint).
-#}
{% macro parse_integer(expression) -%}
  {%- if not execute %}{{ return('') }}{% endif -%}
  {{ return(adapter.dispatch('parse_integer', 'cdp')(expression)) }}
{%- endmacro %}

{% macro default__parse_integer(expression) -%}
  {%- set body -%}
    case
      when cdp_int_digits is null or cdp_int_sign is null then null
      when {{ cdp.regexp_matches('cdp_int_digits', '^[0-9]{1,18}$') }}
        then cast({{ dbt.concat(['cdp_int_sign', 'cdp_int_digits']) }} as {{ dbt.type_bigint() }})
    end
  {%- endset -%}
  {{ cdp._integer_parts(expression, body) }}
{%- endmacro %}


{#- null | 'missing' | 'invalid_format' (not a whole number) | 'out_of_range' (more than 18 digits). -#}
{% macro integer_issue(expression) -%}
  {{ return(adapter.dispatch('integer_issue', 'cdp')(expression)) }}
{%- endmacro %}

{% macro default__integer_issue(expression) -%}
  {%- set body -%}
    case
      when cdp_int_text is null then 'missing'
      when cdp_int_digits is null or cdp_int_sign is null then 'invalid_format'
      when {{ cdp.regexp_matches('cdp_int_digits', '^[0-9]{1,18}$') }} then null
      else 'out_of_range'
    end
  {%- endset -%}
  {{ cdp._integer_parts(expression, body) }}
{%- endmacro %}


{#-
  Binds, for `body`: cdp_int_text (the prepared text), cdp_int_sign ('-', '' or null when invalid) and
  cdp_int_digits (the absolute value without leading zeros, null unless a whole number).
-#}
{% macro _integer_parts(expression, body) -%}
  {%- set digits -%}
    case
      when {{ cdp.regexp_matches('cdp_int_canonical', '^[0-9]*([.]0*)?$') }}
        and {{ cdp.regexp_matches('cdp_int_canonical', '[0-9]') }}
        then {{ cdp.regexp_replace_all(cdp.regexp_replace_all('cdp_int_canonical', '[.]0*$', ''), '^0+([0-9])', '\\1') }}
    end
  {%- endset -%}
  {%- set with_digits = cdp.let_expression('cdp_int_digits', digits, body) -%}
  {%- set with_canonical = cdp.let_expression('cdp_int_canonical',
      cdp._number_canonical(cdp._number_unsigned('cdp_int_text')), with_digits) -%}
  {%- set with_sign = with_canonical | replace('cdp_int_sign', '(' ~ cdp._number_sign('cdp_int_text') ~ ')') -%}
  {{ cdp.let_expression('cdp_int_text', cdp._number_text(expression), with_sign) }}
{%- endmacro %}


{#- ---------------------------------------------------------------------------------------------------- -#}
{#-  Booleans                                                                                              -#}
{#- ---------------------------------------------------------------------------------------------------- -#}

{#- The spellings of yes and no seen in forms and exports (English, French, German, Spanish, checkboxes). -#}
{% macro boolean_true_tokens() -%}
  {{ return(var('cdp_boolean_true_tokens',
      ['true', 't', 'yes', 'y', '1', '1.0', 'oui', 'o', 'vrai', 'ja', 'j', 'si', 'x', 'on', 'checked'])) }}
{%- endmacro %}

{% macro boolean_false_tokens() -%}
  {{ return(var('cdp_boolean_false_tokens',
      ['false', 'f', 'no', 'n', '0', '0.0', 'non', 'faux', 'nein', 'off', 'unchecked'])) }}
{%- endmacro %}

{#- Lower-case, accent-free text without spaces, so that "Oui ", "SÍ" and "un checked" compare equal. -#}
{% macro _boolean_text(expression) -%}
  replace({{ cdp.strip_accents('lower(' ~ cdp.clean_text(expression) ~ ')') }}, ' ', '')
{%- endmacro %}

{% macro _sql_string_list(values) -%}
  {%- for value in values %}'{{ value | replace("'", "''") }}'{{ ", " if not loop.last }}{% endfor -%}
{%- endmacro %}


{#- true / false for the tokens above (case, accent and space insensitive), else null. -#}
{% macro parse_boolean(expression) -%}
  {%- if not execute %}{{ return('') }}{% endif -%}
  {{ return(adapter.dispatch('parse_boolean', 'cdp')(expression)) }}
{%- endmacro %}

{% macro default__parse_boolean(expression) -%}
  {%- set body -%}
    case
      when cdp_bool_text in ({{ cdp._sql_string_list(cdp.boolean_true_tokens()) }}) then true
      when cdp_bool_text in ({{ cdp._sql_string_list(cdp.boolean_false_tokens()) }}) then false
    end
  {%- endset -%}
  {{ cdp.let_expression('cdp_bool_text', cdp._boolean_text(expression), body) }}
{%- endmacro %}


{#- null | 'missing' | 'invalid_format' (not one of the tokens). -#}
{% macro boolean_issue(expression) -%}
  {{ return(adapter.dispatch('boolean_issue', 'cdp')(expression)) }}
{%- endmacro %}

{% macro default__boolean_issue(expression) -%}
  {%- set body -%}
    case
      when cdp_bool_text is null then 'missing'
      when cdp_bool_text in (
        {{ cdp._sql_string_list(cdp.boolean_true_tokens() + cdp.boolean_false_tokens()) }}
      ) then null
      else 'invalid_format'
    end
  {%- endset -%}
  {{ cdp.let_expression('cdp_bool_text', cdp._boolean_text(expression), body) }}
{%- endmacro %}
