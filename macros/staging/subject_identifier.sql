{#-
  Consent decisions and erasure requests name a person by one identifier of a declared type. The value is
  standardised the way the same identifier type is standardised everywhere else, so the identity layer can
  join on it: emails by their matching key, phones in E.164 (default country), ids as trimmed text.
  Types outside the known list are kept (raw value preserved) and flagged 'unknown_subject_type'.
-#}
{% macro subject_identifier_types() -%}
  {{ return(['email', 'phone', 'crm_contact_id', 'shop_customer_id', 'loyalty_card_id']) }}
{%- endmacro %}

{% macro subject_type_code(type_column) -%}
  case
    when {{ cdp.lower_code(type_column) }} in ('email', 'e-mail', 'mail', 'courriel') then 'email'
    when {{ cdp.lower_code(type_column) }} in ('phone', 'mobile', 'telephone', 'téléphone', 'sms', 'phone_number') then 'phone'
    else {{ cdp.lower_code(type_column) }}
  end
{%- endmacro %}

{% macro subject_identifier_columns(type_column, value_column) -%}
  {%- if not execute %}{{ return('') }}{% endif -%}
  {%- set subject_type = cdp.subject_type_code(type_column) -%}
  {{ subject_type }} as subject_type,
  {{ value_column }} as subject_value_raw,
  case
    when {{ subject_type }} = 'email' then {{ cdp.email_match_key(value_column) }}
    when {{ subject_type }} = 'phone' then {{ cdp.standardize_phone(value_column, 'null') }}
    else {{ cdp.clean_text(value_column) }}
  end as subject_value,
  case
    when {{ cdp.clean_text(value_column) }} is null then 'missing'
    when {{ subject_type }} is null then 'missing_subject_type'
    when {{ subject_type }} not in ('{{ cdp.subject_identifier_types() | join("', '") }}') then 'unknown_subject_type'
    when {{ subject_type }} = 'email' then {{ cdp.email_issue(value_column) }}
    when {{ subject_type }} = 'phone' then {{ cdp.phone_issue(value_column, 'null') }}
  end as subject_value_issue
{%- endmacro %}
