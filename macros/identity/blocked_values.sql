{#-
  The identifier values that seed identity_blocked_values blocks: one row per (identifier_type,
  identifier_value) of `values_cte` matching an exact value or a regular expression of its field, with the
  least reason (blocked_reason) when several match. `blocked_values_cte` is the seed's CTE in the model,
  `blocked_values_relation` the seed itself.
-#}
{% macro identity_blocked_matches(values_cte, blocked_values_cte, blocked_values_relation) -%}
  {{ return(adapter.dispatch('identity_blocked_matches', 'cdp')(values_cte, blocked_values_cte, blocked_values_relation)) }}
{%- endmacro %}

{% macro default__identity_blocked_matches(values_cte, blocked_values_cte, blocked_values_relation) -%}
    select
        {{ values_cte }}.identifier_type,
        {{ values_cte }}.identifier_value,
        min({{ blocked_values_cte }}.reason) as blocked_reason
    from {{ values_cte }}
    inner join {{ blocked_values_cte }}
        on
            {{ values_cte }}.identifier_type = {{ blocked_values_cte }}.field
            and (
                (
                    {{ blocked_values_cte }}.match_type = 'exact'
                    and {{ values_cte }}.identifier_value = {{ blocked_values_cte }}.pattern
                )
                or (
                    {{ blocked_values_cte }}.match_type = 'regex'
                    and {{ cdp.regexp_matches_expression(values_cte ~ '.identifier_value', blocked_values_cte ~ '.pattern') }}
                )
            )
    group by {{ values_cte }}.identifier_type, {{ values_cte }}.identifier_value
{%- endmacro %}

{#-
  DuckDB compiles a regular expression for every row when the pattern is a column, not a constant: the join
  above took 5.5 s for the 250,000 e-mails and phones of 155,000 people. So the seed's patterns are read when
  the model compiles (the seed is built before the model in the same run) and written into the SQL as
  constants, tried in the order of their reasons so the first that matches gives the least reason. Exact
  values stay a hash join. Where the seed is not a table (a dbt unit test gives its rows), the join above.
-#}
{% macro duckdb__identity_blocked_matches(values_cte, blocked_values_cte, blocked_values_relation) -%}
  {%- set seed_table = load_relation(blocked_values_relation) if execute else none -%}
  {%- if seed_table is none -%}
    {{ return(cdp.default__identity_blocked_matches(values_cte, blocked_values_cte, blocked_values_relation)) }}
  {%- endif -%}
  {%- set patterns = run_query(
      "select field, pattern, reason from " ~ seed_table ~ " where match_type = 'regex' order by reason, field, pattern"
  ).rows -%}
    select
        identifier_type,
        identifier_value,
        min(blocked_reason) as blocked_reason
    from (
        select
            {{ values_cte }}.identifier_type,
            {{ values_cte }}.identifier_value,
            {{ blocked_values_cte }}.reason as blocked_reason
        from {{ values_cte }}
        inner join {{ blocked_values_cte }}
            on
                {{ values_cte }}.identifier_type = {{ blocked_values_cte }}.field
                and {{ values_cte }}.identifier_value = {{ blocked_values_cte }}.pattern
        where {{ blocked_values_cte }}.match_type = 'exact'
        {%- if patterns | length > 0 %}

        union all

        select
            identifier_type,
            identifier_value,
            case
            {%- for field, pattern, reason in patterns %}
                when identifier_type = '{{ field | replace("'", "''") }}'
                    and {{ cdp.regexp_matches('identifier_value', pattern) }}
                    then '{{ reason | replace("'", "''") }}'
            {%- endfor %}
            end as blocked_reason
        from {{ values_cte }}
        {%- endif %}
    ) as matched
    where blocked_reason is not null
    group by identifier_type, identifier_value
{%- endmacro %}
