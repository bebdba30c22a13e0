{#-
  KPI mart settings (models/marts/kpis) read from vars and checked, so a broken setting stops the build with a
  message naming the var. What each var means is written next to it in dbt_project.yml.
-#}

{#- A var that must be a mapping of lower-case names to lower-case names (a spelling -> the canonical value). -#}
{% macro _kpi_name_mapping(var_name, default) -%}
  {%- set mapping = var(var_name, default) -%}
  {%- if mapping is none -%}
    {{ return({}) }}
  {%- endif -%}
  {%- if mapping is not mapping -%}
    {{ exceptions.raise_compiler_error("var " ~ var_name ~ " must be a mapping {name: ads channel}, got: " ~ mapping) }}
  {%- endif -%}
  {%- for key, value in mapping.items() -%}
    {%- if key is not string or value is not string or key | trim == '' or value | trim == '' -%}
      {{ exceptions.raise_compiler_error("var " ~ var_name ~ ": keys and values must be non-empty names, got: " ~ key ~ ": " ~ value) }}
    {%- endif -%}
    {%- if "'" in key or "'" in value -%}
      {{ exceptions.raise_compiler_error("var " ~ var_name ~ ": names cannot contain a quote, got: " ~ key ~ ": " ~ value) }}
    {%- endif -%}
  {%- endfor -%}
  {{ return(mapping) }}
{%- endmacro %}


{#-
  The canonical ads channel of a spend row's channel as SQL: the spelling looked up in var
  cdp_ads_channel_aliases (lower-case, trimmed), else the spelling itself.
-#}
{% macro ads_channel(channel_column) -%}
  {%- set aliases = cdp._kpi_name_mapping('cdp_ads_channel_aliases', {}) -%}
  {%- if aliases | length == 0 -%}
    {{ return('lower(trim(' ~ channel_column ~ '))') }}
  {%- endif -%}
  case lower(trim({{ channel_column }}))
    {%- for spelling, channel in aliases.items() %}
    when '{{ spelling | trim | lower }}' then '{{ channel | trim | lower }}'
    {%- endfor %}
    else lower(trim({{ channel_column }}))
  end
{%- endmacro %}


{#-
  The ads channel a web session's utm_source stands for (var cdp_attribution_utm_sources), as SQL; null for a
  source that is no paid ads channel (newsletter, affiliate, untagged).
-#}
{% macro utm_source_ads_channel(utm_source_column) -%}
  {%- set sources = cdp._kpi_name_mapping('cdp_attribution_utm_sources', {}) -%}
  {%- if sources | length == 0 -%}
    {{ return('cast(null as ' ~ dbt.type_string() ~ ')') }}
  {%- endif -%}
  case lower(trim({{ utm_source_column }}))
    {%- for source, channel in sources.items() %}
    when '{{ source | trim | lower }}' then '{{ channel | trim | lower }}'
    {%- endfor %}
  end
{%- endmacro %}


{#- A positive whole number of days from a var (attribution windows). -#}
{% macro kpi_days_setting(var_name, default) -%}
  {%- set days = var(var_name, default) -%}
  {%- if days is boolean or days is not number or days <= 0 or days != days | int -%}
    {{ exceptions.raise_compiler_error("var " ~ var_name ~ " must be a positive whole number of days, got: " ~ days) }}
  {%- endif -%}
  {{ return(days | int) }}
{%- endmacro %}
