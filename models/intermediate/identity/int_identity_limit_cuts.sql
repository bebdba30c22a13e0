{#-
  Matches cut so that no customer breaks a per-customer identifier limit (seed identity_identifier_types,
  max_values_per_customer) or holds two records known to be different people (cannot-link pairs: a veto
  level, such as different birth dates or given names, or a compared pair whose match probability is below
  cdp_identity_cannot_link_probability). In a first-pass cluster over a limit or holding such a pair, the
  matches are replayed strongest first and each one that would join parts breaking a limit, or joining the two
  ends of a cannot-link pair, is cut (macro identity_limit_cuts): a chain of namesakes is cut at its weakest
  link. One row per cut match, with the reason: the guard's decisions, for review.
-#}

{#- By profile id (cdp.hash_integer of the record key, as in int_identity_profiles): the joins below run on
    integers; the cuts come back named by record key. -#}
{%- set linking_values -%}
    (
        select
            {{ cdp.hash_integer('identifiers.record_key') }} as node_id,
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
{%- set matches -%}
    (
        select
            left_profile_id as left_node_id,
            right_profile_id as right_node_id,
            left_record_key,
            right_record_key,
            match_probability
        from {{ ref('int_identity_pairs_scored') }}
        where is_match
    )
{%- endset -%}
{%- set cannot_link_pairs -%}
    (
        select
            left_profile_id as left_node_id,
            right_profile_id as right_node_id
        from {{ ref('int_identity_pairs_scored') }}
        where
            is_conflicting
            or match_probability < {{ var('cdp_identity_cannot_link_probability', 0.01) }}
    )
{%- endset -%}
{%- set cuts = cdp.identity_limit_cuts(
    ref('int_identity_match_clusters'),
    matches,
    linking_values,
    ref('identity_identifier_types'),
    cannot_link_pairs,
) %}

with

no_cut as (
    select
        cast(null as {{ dbt.type_string() }}) as left_record_key,
        cast(null as {{ dbt.type_string() }}) as right_record_key,
        cast(null as {{ dbt.type_float() }}) as match_probability,
        cast(null as {{ dbt.type_string() }}) as component_id,
        cast(null as {{ dbt.type_string() }}) as cut_reason,
        cast(null as {{ dbt.type_string() }}) as identifier_type,
        cast(null as {{ dbt.type_int() }}) as value_count,
        cast(null as {{ dbt.type_int() }}) as max_values_per_customer,
        cast(null as {{ dbt.type_string() }}) as conflicting_left_record_key,
        cast(null as {{ dbt.type_string() }}) as conflicting_right_record_key
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
            cast('{{ cut.component_id }}' as {{ dbt.type_string() }}) as component_id,
            cast('{{ cut.cut_reason }}' as {{ dbt.type_string() }}) as cut_reason,
            {%- if cut.cut_reason == 'identifier_limit' %}
                cast('{{ dbt.escape_single_quotes(cut.identifier_type) }}' as {{ dbt.type_string() }})
                    as identifier_type,
                cast({{ cut.value_count }} as {{ dbt.type_int() }}) as value_count,
                cast({{ cut.max_values_per_customer }} as {{ dbt.type_int() }}) as max_values_per_customer,
                cast(null as {{ dbt.type_string() }}) as conflicting_left_record_key,
                cast(null as {{ dbt.type_string() }}) as conflicting_right_record_key
            {%- else %}
                cast(null as {{ dbt.type_string() }}) as identifier_type,
                cast(null as {{ dbt.type_int() }}) as value_count,
                cast(null as {{ dbt.type_int() }}) as max_values_per_customer,
                cast('{{ dbt.escape_single_quotes(cut.conflicting_left_record_key) }}' as {{ dbt.type_string() }})
                    as conflicting_left_record_key,
                cast('{{ dbt.escape_single_quotes(cut.conflicting_right_record_key) }}' as {{ dbt.type_string() }})
                    as conflicting_right_record_key
            {%- endif %}
    {%- endfor %}
)

select * from final
