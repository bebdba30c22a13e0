{#-
  Fellegi-Sunter parameters learnt from the data, without labels (as Splink does):
  - u (level frequency among non-matching pairs) from random pairs: int_identity_u_probabilities;
  - m (level frequency among matching pairs) by expectation-maximisation over the candidate pairs' comparison
    patterns, u held fixed, until no probability moves by more than 1e-6 (at most cdp_identity_em_iterations
    passes). The patterns are a few hundred rows, so EM runs in this model's Jinja on the rows read from
    int_identity_comparison_patterns, and the SQL carries the results as literals: every engine gets the same
    arithmetic, and Spark is spared a plan 25 passes deep.
    As Splink does, EM runs in training sessions (var cdp_identity_em_training_blocks): each session only sees
    the patterns agreeing on its block's levels and estimates the m of the OTHER comparisons (the block's
    comparisons are left out of its likelihood); a comparison's m is the mean over the sessions that saw it.
    Run over all candidate pairs at once, EM takes namesakes (same given name and surname, different e-mail
    and phone) for matches, and learns that matches often disagree on e-mail and phone;
  - the prior: the probability that two random profile records are the same person, estimated from the
    pairs that deterministic rules would link (same e-mail, or same given name, surname and birth date),
    divided by the recall assumed for those rules (cdp_identity_deterministic_recall).
  match_weight = log2(m / u); a pair's score is the prior's weight plus the weight of each of its levels.
  The row comparison = 'prior' carries the prior's weight.
-#}

{%- set comparisons = cdp.identity_comparisons() -%}
{%- set recall = var('cdp_identity_deterministic_recall', 0.7) -%}
{%- set floor = 0.000001 -%}
{%- set patterns_relation = ref('int_identity_comparison_patterns') -%}
{%- set u_relation = ref('int_identity_u_probabilities') -%}
{%- set em = cdp.identity_em_estimates(patterns_relation, u_relation) %}

with

patterns as (
    select * from {{ patterns_relation }}
),

u_probabilities as (
    select * from {{ u_relation }}
),

profiles as (
    select * from {{ ref('int_identity_profiles') }}
),

m_probabilities as (
    {%- for comparison, level_count in comparisons.items() %}
        {%- set comparison_loop = loop %}
        {%- for level in range(level_count) %}
            select
                '{{ comparison }}' as comparison,
                {{ level }} as comparison_level,
                cast({{ em.m[comparison ~ ':' ~ level] }} as {{ dbt.type_float() }}) as m_probability
            {{- '\n    union all' if not (comparison_loop.last and loop.last) }}
        {%- endfor %}
    {%- endfor %}
),

prior_estimate as (
    select
        sum(
            case
                when email_level = 2 or (first_name_level = 2 and last_name_level = 2 and birth_date_level = 2)
                    then pair_count
                else 0
            end
        ) / {{ recall }} as expected_matching_pairs,
        (select count(*) from profiles) as profile_count
    from patterns
),

weights as (
    select
        u_probabilities.comparison,
        u_probabilities.comparison_level,
        greatest(coalesce(m_probabilities.m_probability, 0), {{ floor }}) as m_probability,
        u_probabilities.u_probability
    from u_probabilities
    left join m_probabilities
        on
            u_probabilities.comparison = m_probabilities.comparison
            and u_probabilities.comparison_level = m_probabilities.comparison_level
),

final as (
    select
        comparison,
        comparison_level,
        m_probability,
        u_probability,
        ln(m_probability / u_probability) / ln(2) as match_weight,
        {{ em.iterations }} as em_iterations,
        cast({{ em.change }} as {{ dbt.type_float() }}) as last_iteration_change
    from weights

    union all

    select
        'prior' as comparison,
        0 as comparison_level,
        prior_probability as m_probability,
        1 - prior_probability as u_probability,
        ln(prior_probability / (1 - prior_probability)) / ln(2) as match_weight,
        {{ em.iterations }} as em_iterations,
        cast({{ em.change }} as {{ dbt.type_float() }}) as last_iteration_change
    from (
        select
            least(
                greatest(expected_matching_pairs, 1) / greatest(profile_count * (profile_count - 1) / 2.0, 1),
                0.5
            ) as prior_probability
        from prior_estimate
    ) as prior_probabilities
)

select * from final
