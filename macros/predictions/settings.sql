{#-
  The predictive-traits vars (dbt_project.yml, "Predictive traits"), checked once: a wrong value stops the
  build with a message naming the var instead of producing odd numbers.
-#}
{% macro prediction_settings() -%}
  {%- set as_of_date = var('cdp_predictions_as_of_date') -%}
  {%- if as_of_date is not none and not modules.re.match('^[0-9]{4}-[0-9]{2}-[0-9]{2}$', as_of_date | string) -%}
    {{ exceptions.raise_compiler_error("cdp_predictions_as_of_date must be a date written YYYY-MM-DD, or null (the latest order date); got " ~ as_of_date) }}
  {%- endif -%}
  {%- set settings = {'as_of_date': as_of_date} -%}
  {%- for name in ['lead_horizon_days', 'churn_horizon_days', 'max_repurchase_days', 'session_timeout_minutes', 'hyp2f1_terms'] -%}
    {%- set value = var('cdp_predictions_' ~ name) -%}
    {%- if value is not number or value != value | int or value < 1 -%}
      {{ exceptions.raise_compiler_error("cdp_predictions_" ~ name ~ " must be a positive whole number; got " ~ value) }}
    {%- endif -%}
    {%- do settings.update({name: value | int}) -%}
  {%- endfor -%}
  {%- set rate = var('cdp_predictions_monthly_discount_rate') -%}
  {%- if rate is not number or rate <= -1 -%}
    {{ exceptions.raise_compiler_error("cdp_predictions_monthly_discount_rate must be a number above -1 (0.01 = 1 % a month); got " ~ rate) }}
  {%- endif -%}
  {%- do settings.update({'monthly_discount_rate': rate | float}) -%}
  {{ return(settings) }}
{%- endmacro %}
