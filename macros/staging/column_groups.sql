{#-
  Column groups shared by the staging models. Every parsed field X comes out as three columns:
    X_raw    the text as received (nothing is ever lost),
    X        the standardised value, null when the text could not be understood,
    X_issue  null when X is usable, otherwise why not ('missing', 'invalid_format', ...).
  Keeping the trio in one place makes every source follow the same convention.
  `column` is the source column name; `alias` defaults to it.
  While dbt parses the project (`execute` false) these macros, and the standardising macros the models call
  directly, return nothing: the parse only records ref/source/config calls, and rendering the standardisation
  SQL was most of the models' share of a full parse (which dbt repeats whenever the vars change).
-#}

{% macro email_columns(column, alias=none) -%}
  {%- if not execute %}{{ return('') }}{% endif -%}
  {%- set alias = alias or column -%}
  {{ column }} as {{ alias }}_raw,
  {{ cdp.standardize_email(column) }} as {{ alias }},
  {{ cdp.email_match_key(column) }} as {{ alias }}_normalized,
  {{ cdp.email_issue(column) }} as {{ alias }}_issue
{%- endmacro %}


{#- `country_expression` is an ISO alpha-2 SQL expression (or null) giving the record's country. -#}
{% macro phone_columns(column, country_expression='null', alias=none) -%}
  {%- if not execute %}{{ return('') }}{% endif -%}
  {%- set alias = alias or column -%}
  {{ column }} as {{ alias }}_raw,
  {{ cdp.standardize_phone(column, country_expression) }} as {{ alias }}_e164,
  {{ cdp.phone_issue(column, country_expression) }} as {{ alias }}_issue
{%- endmacro %}


{#-
  `standardized_column` holds cdp.standardize_country(column), computed once in an earlier CTE because the
  phone and postcode columns need it too and the lookup is the costliest standardisation.
-#}
{% macro country_columns(column, standardized_column, alias='country') -%}
  {%- if not execute %}{{ return('') }}{% endif -%}
  {{ column }} as {{ alias }}_raw,
  {{ standardized_column }} as {{ alias }}_code,
  case
    when {{ standardized_column }} is not null then null
    when {{ cdp.clean_text(column) }} is null then 'missing'
    else 'unknown_country'
  end as {{ alias }}_issue
{%- endmacro %}


{% macro postcode_columns(column, country_expression='null', alias=none) -%}
  {%- if not execute %}{{ return('') }}{% endif -%}
  {%- set alias = alias or column -%}
  {{ column }} as {{ alias }}_raw,
  {{ cdp.standardize_postcode(column, country_expression) }} as {{ alias }}
{%- endmacro %}


{#- Given and family names: display form and matching key. -#}
{% macro person_name_columns(column, alias=none) -%}
  {%- if not execute %}{{ return('') }}{% endif -%}
  {%- set alias = alias or column -%}
  {{ cdp.person_name_display(column) }} as {{ alias }},
  {{ cdp.person_name_match_key(column) }} as {{ alias }}_key
{%- endmacro %}


{#- `timezone` (an IANA name) applies to values written without an offset. -#}
{% macro timestamp_columns(column, timezone=none, alias=none) -%}
  {%- if not execute %}{{ return('') }}{% endif -%}
  {%- set alias = alias or column -%}
  {{ column }} as {{ alias }}_raw,
  {{ cdp.parse_timestamp_utc(column, timezone) }} as {{ alias }},
  {{ cdp.timestamp_issue(column) }} as {{ alias }}_issue
{%- endmacro %}


{% macro date_columns(column, alias=none) -%}
  {%- if not execute %}{{ return('') }}{% endif -%}
  {%- set alias = alias or column -%}
  {{ column }} as {{ alias }}_raw,
  {{ cdp.parse_date(column) }} as {{ alias }},
  {{ cdp.date_issue(column) }} as {{ alias }}_issue
{%- endmacro %}


{% macro money_columns(column, alias=none) -%}
  {%- if not execute %}{{ return('') }}{% endif -%}
  {%- set alias = alias or column -%}
  {{ column }} as {{ alias }}_raw,
  {{ cdp.parse_money(column) }} as {{ alias }},
  {{ cdp.money_issue(column) }} as {{ alias }}_issue
{%- endmacro %}


{#- Lower-case code-like values (statuses, channels, event names) so accepted-values tests see one spelling. -#}
{% macro lower_code(column) -%}
  lower({{ cdp.clean_text(column) }})
{%- endmacro %}


{#- The time zone of a source's naive timestamps: var cdp_<source>_timezone, else cdp_default_timezone. -#}
{% macro source_timezone(source_name) -%}
  {{ return(var('cdp_' ~ source_name ~ '_timezone', var('cdp_default_timezone', 'UTC'))) }}
{%- endmacro %}
