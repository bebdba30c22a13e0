{#-
  Customer 360 settings (models/intermediate/customer360, models/marts/customer360) read from vars and checked,
  so a broken setting stops the build with a message naming the var instead of producing odd SQL. What each
  var means is written next to it in dbt_project.yml.
-#}

{#-
  The date set by var cdp_as_of_date ('YYYY-MM-DD') as a SQL date, or a null date when the var is unset: the
  models then take the day of the latest event (int_customer360_as_of). Never the wall clock, so a re-run and
  every engine give the same traits.
-#}
{% macro customer360_as_of_date_setting() -%}
  {%- set value = var('cdp_as_of_date', none) -%}
  {%- if value is none or value | string | trim == '' -%}
    {{ return('cast(null as date)') }}
  {%- endif -%}
  {#- YAML reads an unquoted 2026-10-31 as a date; its text is the same ISO form. -#}
  {%- set text = value | string | trim -%}
  {%- if not modules.re.match('^[0-9]{4}-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])$', text) -%}
    {{ exceptions.raise_compiler_error("var cdp_as_of_date must be a date written YYYY-MM-DD (or null for the day of the latest event), got: " ~ value) }}
  {%- endif -%}
  {{ return("cast('" ~ text ~ "' as date)") }}
{%- endmacro %}


{#- Minutes without an event after which a visitor's next event starts a new web session. -#}
{% macro session_inactivity_minutes() -%}
  {%- set minutes = var('cdp_session_inactivity_minutes', 30) -%}
  {%- if minutes is boolean or minutes is not number or minutes <= 0 or minutes != minutes | int -%}
    {{ exceptions.raise_compiler_error("var cdp_session_inactivity_minutes must be a positive whole number of minutes, got: " ~ minutes) }}
  {%- endif -%}
  {{ return(minutes | int) }}
{%- endmacro %}


{#-
  One lifecycle threshold in days (var cdp_lifecycle_thresholds_days): new, active, at_risk or dormant. Checked
  as a whole: positive whole numbers, active < at_risk < dormant.
-#}
{% macro lifecycle_threshold_days(stage) -%}
  {%- set thresholds = var('cdp_lifecycle_thresholds_days', {'new': 90, 'active': 180, 'at_risk': 365, 'dormant': 730}) -%}
  {%- set stages = ['new', 'active', 'at_risk', 'dormant'] -%}
  {%- if thresholds is not mapping -%}
    {{ exceptions.raise_compiler_error("var cdp_lifecycle_thresholds_days must be a mapping {new: days, active: days, at_risk: days, dormant: days}, got: " ~ thresholds) }}
  {%- endif -%}
  {%- for name in stages -%}
    {%- set days = thresholds.get(name) -%}
    {%- if days is none or days is boolean or days is not number or days <= 0 or days != days | int -%}
      {{ exceptions.raise_compiler_error("var cdp_lifecycle_thresholds_days: '" ~ name ~ "' must be a positive whole number of days, got: " ~ days) }}
    {%- endif -%}
  {%- endfor -%}
  {%- for name in thresholds if name not in stages -%}
    {{ exceptions.raise_compiler_error("var cdp_lifecycle_thresholds_days: unknown stage '" ~ name ~ "'; the stages with a threshold are " ~ stages | join(', ')) }}
  {%- endfor -%}
  {%- if not (thresholds.active < thresholds.at_risk < thresholds.dormant) -%}
    {{ exceptions.raise_compiler_error("var cdp_lifecycle_thresholds_days: active < at_risk < dormant is required (days since the last purchase), got: " ~ thresholds) }}
  {%- endif -%}
  {%- if stage not in stages -%}
    {{ exceptions.raise_compiler_error("cdp.lifecycle_threshold_days: stage must be one of " ~ stages | join(', ') ~ ", got: " ~ stage) }}
  {%- endif -%}
  {{ return(thresholds[stage] | int) }}
{%- endmacro %}


{#- Whether a consent channel without any decision on record counts as granted (RGPD: it does not), as SQL. -#}
{% macro consent_granted_when_unknown() -%}
  {%- set granted = var('cdp_consent_granted_when_unknown', false) -%}
  {%- if granted is not boolean -%}
    {{ exceptions.raise_compiler_error("var cdp_consent_granted_when_unknown must be true or false, got: " ~ granted) }}
  {%- endif -%}
  {{ return('true' if granted else 'false') }}
{%- endmacro %}


{#- How many top categories (bought, viewed) a customer's lists hold. -#}
{% macro top_categories_count() -%}
  {%- set count = var('cdp_top_categories_count', 3) -%}
  {%- if count is boolean or count is not number or count <= 0 or count != count | int -%}
    {{ exceptions.raise_compiler_error("var cdp_top_categories_count must be a positive whole number, got: " ~ count) }}
  {%- endif -%}
  {{ return(count | int) }}
{%- endmacro %}


{#- The currency of customer-level money (var cdp_reporting_currency), checked against var cdp_exchange_rates. -#}
{% macro reporting_currency() -%}
  {%- set currency = var('cdp_reporting_currency', var('cdp_default_currency', 'EUR')) -%}
  {%- set rates = cdp.exchange_rates() -%}
  {%- if currency is not string or not modules.re.match('^[A-Z]{3}$', currency) -%}
    {{ exceptions.raise_compiler_error("var cdp_reporting_currency must be an ISO 4217 code such as EUR, got: " ~ currency) }}
  {%- endif -%}
  {%- if rates.get(currency) != 1 -%}
    {{ exceptions.raise_compiler_error("var cdp_exchange_rates must give the reporting currency " ~ currency ~ " the rate 1 (rates are units of the reporting currency per unit), got: " ~ rates.get(currency)) }}
  {%- endif -%}
  {{ return(currency) }}
{%- endmacro %}


{#- var cdp_exchange_rates checked: {ISO code: units of the reporting currency for one unit}. -#}
{% macro exchange_rates() -%}
  {%- set rates = var('cdp_exchange_rates', {'EUR': 1}) -%}
  {%- if rates is not mapping or rates | length == 0 -%}
    {{ exceptions.raise_compiler_error("var cdp_exchange_rates must be a mapping {ISO code: rate}, got: " ~ rates) }}
  {%- endif -%}
  {%- for code, rate in rates.items() -%}
    {%- if code is not string or not modules.re.match('^[A-Z]{3}$', code) -%}
      {{ exceptions.raise_compiler_error("var cdp_exchange_rates: keys must be ISO 4217 codes such as CHF, got: " ~ code) }}
    {%- endif -%}
    {%- if rate is boolean or rate is not number or rate <= 0 -%}
      {{ exceptions.raise_compiler_error("var cdp_exchange_rates: the rate of " ~ code ~ " must be a positive number, got: " ~ rate) }}
    {%- endif -%}
  {%- endfor -%}
  {{ return(rates) }}
{%- endmacro %}


{#-
  An amount converted to the reporting currency with the fixed rates of var cdp_exchange_rates, as
  decimal(18,2); null for a currency the var has no rate for (a data test on fct_orders reports those).
-#}
{% macro amount_in_reporting_currency(amount, currency) -%}
  {%- set rates = cdp.exchange_rates() -%}
  cast(
    case {{ currency }}
      {%- for code, rate in rates.items() %}
      when '{{ code }}' then {{ amount }} * {{ rate }}
      {%- endfor %}
    end
    as {{ cdp.type_money() }}
  )
{%- endmacro %}
