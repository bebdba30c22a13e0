{#-
  The identity layer's settings that shape SQL (lists, numbers used in Jinja), read from vars and checked,
  so a broken setting stops the build with a message naming the var instead of producing odd SQL.
-#}

{% macro identity_blocking_rules() -%}
  {%- set rules = var('cdp_identity_blocking_rules') -%}
  {%- if rules is string or rules is mapping or rules | length == 0 -%}
    {{ exceptions.raise_compiler_error("var cdp_identity_blocking_rules must be a non-empty list of {name, columns}, got: " ~ rules) }}
  {%- endif -%}
  {%- set allowed = ['email_normalized', 'phone', 'first_name_key', 'last_name_key', 'birth_date', 'postal_code_key', 'city_key', 'address_key', 'country_code'] -%}
  {%- for rule in rules -%}
    {%- if rule is not mapping or 'name' not in rule or 'columns' not in rule or rule.columns is string or rule.columns | length == 0 -%}
      {{ exceptions.raise_compiler_error("var cdp_identity_blocking_rules: rule " ~ loop.index ~ " must be {name: ..., columns: [...], max_block_size (optional)} with at least one column, got: " ~ rule) }}
    {%- endif -%}
    {%- if 'max_block_size' in rule and (rule.max_block_size is not number or rule.max_block_size < 2) -%}
      {{ exceptions.raise_compiler_error("var cdp_identity_blocking_rules: rule '" ~ rule.name ~ "' max_block_size must be a whole number of at least 2, got: " ~ rule.max_block_size) }}
    {%- endif -%}
    {%- for column in rule.columns if column not in allowed -%}
      {{ exceptions.raise_compiler_error("var cdp_identity_blocking_rules: rule '" ~ rule.name ~ "' names unknown column '" ~ column ~ "'; columns of int_identity_profiles that can block: " ~ allowed | join(', ')) }}
    {%- endfor -%}
  {%- endfor -%}
  {{ return(rules) }}
{%- endmacro %}


{#- How many random pairs estimate u probabilities: (pairs in all, most pairs per record on average). -#}
{% macro identity_u_sample_size() -%}
  {%- set random_pairs = var('cdp_identity_u_random_pairs', 1000000) -%}
  {%- set pairs_per_record = var('cdp_identity_u_pairs_per_record', 20) -%}
  {%- if random_pairs is not number or random_pairs < 1 -%}
    {{ exceptions.raise_compiler_error("var cdp_identity_u_random_pairs must be a positive number, got: " ~ random_pairs) }}
  {%- endif -%}
  {%- if pairs_per_record is not number or pairs_per_record <= 0 -%}
    {{ exceptions.raise_compiler_error("var cdp_identity_u_pairs_per_record must be a positive number, got: " ~ pairs_per_record) }}
  {%- endif -%}
  {{ return((random_pairs, pairs_per_record)) }}
{%- endmacro %}


{#- When this dbt invocation started, as a timestamp literal (the same value in every model of the run). -#}
{% macro run_started_at_timestamp() -%}
  cast('{{ run_started_at.strftime("%Y-%m-%d %H:%M:%S.%f") }}' as {{ dbt.type_timestamp() }})
{%- endmacro %}


{#- This dbt invocation's id, as a string literal. -#}
{% macro invocation_id_literal() -%}
  '{{ invocation_id }}'
{%- endmacro %}


{#-
  A new customer id: 'cus_' + md5 of the cluster's smallest record key and the id it split from (if any), so
  rebuilding the same data gives the same ids and a part split off a customer never reuses that customer's id.
-#}
{% macro new_customer_id(component_id, split_from_customer_id) -%}
  {{ dbt.concat(["'cus_'", dbt.safe_cast(dbt.hash(dbt.concat([component_id, "'|'", "coalesce(" ~ split_from_customer_id ~ ", '')"])), dbt.type_string())]) }}
{%- endmacro %}
