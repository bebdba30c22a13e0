{#-
  Matches cut by a per-customer identifier limit (seed identity_identifier_types, max_values_per_customer):
  in a first-pass cluster carrying more distinct values of a type than its limit, the matches are replayed
  strongest first and each one that would join parts exceeding a limit is cut (macro identity_limit_cuts).
  One row per cut match, with the type whose limit it would break: the guard's decisions, for review.
-#}

{%- set linking_values -%}
    (
        select
            identifiers.record_key,
            identifiers.identifier_type,
            identifiers.identifier_value
        from {{ ref('int_identifiers_unioned') }} as identifiers
        inner join {{ ref('int_identifier_values_guarded') }} as guarded
            on
                identifiers.identifier_type = guarded.identifier_type
                and identifiers.identifier_value = guarded.identifier_value
        where guarded.guard_decision = 'link'
    )
{%- endset -%}
{%- set cuts = cdp.identity_limit_cuts(
    ref('int_identity_match_clusters'),
    '(select * from ' ~ ref('int_identity_pairs_scored') ~ ' where is_match)',
    linking_values,
    ref('identity_identifier_types'),
) %}

with

no_cut as (
    select
        cast(null as {{ dbt.type_string() }}) as left_record_key,
        cast(null as {{ dbt.type_string() }}) as right_record_key,
        cast(null as {{ dbt.type_float() }}) as match_probability,
        cast(null as {{ dbt.type_string() }}) as component_id,
        cast(null as {{ dbt.type_string() }}) as identifier_type,
        cast(null as {{ dbt.type_int() }}) as value_count,
        cast(null as {{ dbt.type_int() }}) as max_values_per_customer
),

final as (
    select * from no_cut
    where left_record_key is not null
    {%- for cut in cuts %}
        union all
        select
            cast('{{ dbt.escape_single_quotes(cut.left_record_key) }}' as {{ dbt.type_string() }}) as left_record_key,
            cast('{{ dbt.escape_single_quotes(cut.right_record_key) }}' as {{ dbt.type_string() }}) as right_record_key,
            cast({{ cut.match_probability }} as {{ dbt.type_float() }}) as match_probability,
            cast('{{ dbt.escape_single_quotes(cut.component_id) }}' as {{ dbt.type_string() }}) as component_id,
            cast('{{ dbt.escape_single_quotes(cut.identifier_type) }}' as {{ dbt.type_string() }}) as identifier_type,
            cast({{ cut.value_count }} as {{ dbt.type_int() }}) as value_count,
            cast({{ cut.max_values_per_customer }} as {{ dbt.type_int() }}) as max_values_per_customer
    {%- endfor %}
)

select * from final
