{#-
  Segment helpers (models/segments). The segment models themselves are generated from segments/*.yml by
  `activation segments compile`; these macros are what the generated and hand-written models share.
-#}

{#-
  The holdout bucket of a segment member, an integer from 0 to 9999: the first 32 bits of md5(customer_id |
  segment name), modulo 10000. The same customer gets the same bucket in every run and on every engine (md5 is
  the same everywhere, and the hex digits are read with portable arithmetic rather than each engine's own hex
  conversion), and two segments draw independent groups. A member is in the holdout when the bucket is below
  holdout_percent x 100, so raising the percentage only adds members to the control group.
-#}
{% macro segment_holdout_bucket(customer_id, segment_name) -%}
  {%- if segment_name is not string or not modules.re.match('^[a-z][a-z0-9_]*$', segment_name) -%}
    {{ exceptions.raise_compiler_error("cdp.segment_holdout_bucket: segment_name must be a segment name (a-z, 0-9, _), got: " ~ segment_name) }}
  {%- endif -%}
  {%- set digits -%}
    {%- for position in range(1, 9) -%}
      {{ ' + ' if not loop.first }}cast(position(substring(holdout_hash, {{ position }}, 1) in '0123456789abcdef') - 1 as {{ dbt.type_bigint() }}) * {{ 16 ** (8 - position) }}
    {%- endfor -%}
  {%- endset -%}
  {{ cdp.let_value('holdout_hash', dbt.hash(dbt.concat(['cast(' ~ customer_id ~ ' as ' ~ dbt.type_string() ~ ')', "'|" ~ segment_name ~ "'"])), 'mod(' ~ digits ~ ', 10000)') }}
{%- endmacro %}


{#-
  The relation holding the global suppression list: var cdp_global_suppression_relation ('schema.table' or
  'database.schema.table', with the seed's columns) when set, else the seed global_suppression_list.
-#}
{% macro global_suppression_relation() -%}
  {%- set relation = var('cdp_global_suppression_relation', none) -%}
  {%- if relation is none or relation | string | trim == '' -%}
    {{ return(ref('global_suppression_list')) }}
  {%- endif -%}
  {%- if relation is not string or not modules.re.match('^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*){1,2}$', relation) -%}
    {{ exceptions.raise_compiler_error("var cdp_global_suppression_relation must be 'schema.table' or 'database.schema.table' (letters, digits, _), got: " ~ relation) }}
  {%- endif -%}
  {{ return(relation) }}
{%- endmacro %}


{#- Days after entering a segment in which a purchase counts as a conversion (segment_holdout_kpis). -#}
{% macro segment_conversion_window_days() -%}
  {%- set days = var('cdp_segment_conversion_window_days', 30) -%}
  {%- if days is boolean or days is not number or days <= 0 or days != days | int -%}
    {{ exceptions.raise_compiler_error("var cdp_segment_conversion_window_days must be a positive whole number of days, got: " ~ days) }}
  {%- endif -%}
  {{ return(days | int) }}
{%- endmacro %}
