{#-
  Fellegi-Sunter parameters learnt from the data, without labels (as Splink does):
  - u (level frequency among non-matching pairs) from random pairs: int_identity_u_probabilities;
  - m (level frequency among matching pairs) by expectation-maximisation over the candidate pairs' comparison
    patterns, u held fixed, cdp_identity_em_iterations passes (unrolled below: a few hundred rows each);
  - the prior: the probability that two random profile records are the same person, estimated from the
    pairs that deterministic rules would link (same e-mail, or same given name, surname and birth date),
    divided by the recall assumed for those rules (cdp_identity_deterministic_recall).
  match_weight = log2(m / u); a pair's score is the prior's weight plus the weight of each of its levels.
  The row comparison = 'prior' carries the prior's weight.
-#}

{%- set comparisons = cdp.identity_comparisons() -%}
{%- set iterations = var('cdp_identity_em_iterations', 25) -%}
{%- set recall = var('cdp_identity_deterministic_recall', 0.7) -%}
{%- set floor = 0.000001 -%}

with

patterns as (
    select * from {{ ref('int_identity_comparison_patterns') }}
),

u_probabilities as (
    select * from {{ ref('int_identity_u_probabilities') }}
),

profiles as (
    select * from {{ ref('int_identity_profiles') }}
),

{#- One row per (pattern, comparison) with a level, plus a '__match__' row per pattern that carries the
    mixing weight lambda through the iterations (so each pass reads the previous one only once). -#}
pattern_levels as (
    {%- for comparison in comparisons %}
    select
        pattern_id,
        pair_count,
        '{{ comparison }}' as comparison,
        {{ comparison }}_level as comparison_level
    from patterns
    where {{ comparison }}_level is not null
    union all
    {%- endfor %}
    select
        pattern_id,
        pair_count,
        '__match__' as comparison,
        0 as comparison_level
    from patterns
),

pattern_levels_with_u as (
    select
        pattern_levels.*,
        coalesce(u_probabilities.u_probability, 1) as u_probability
    from pattern_levels
    left join u_probabilities
        on
            pattern_levels.comparison = u_probabilities.comparison
            and pattern_levels.comparison_level = u_probabilities.comparison_level
),

m_0 as (
    {#- Start: the top level of each comparison is likely among matches, lambda = 0.5. -#}
    {%- for comparison, level_count in comparisons.items() %}
    {%- set comparison_loop = loop %}
    {%- for level in range(level_count) %}
    select
        '{{ comparison }}' as comparison,
        {{ level }} as comparison_level,
        {{ 0.9 if level == level_count - 1 else (0.1 / (level_count - 1)) | round(6) }} as m_probability
    union all
    {%- endfor %}
    {%- endfor %}
    select
        '__match__' as comparison,
        0 as comparison_level,
        0.5 as m_probability
),

{%- for iteration in range(1, iterations + 1) %}

posterior_{{ iteration }} as (
    select
        pattern_levels_with_u.pattern_id,
        max(pattern_levels_with_u.pair_count) as pair_count,
        sum(ln(greatest(m_{{ iteration - 1 }}.m_probability, {{ floor }}))) as log_likelihood_match,
        sum(
            case
                when pattern_levels_with_u.comparison = '__match__'
                    then ln(greatest(1 - m_{{ iteration - 1 }}.m_probability, {{ floor }}))
                else ln(greatest(pattern_levels_with_u.u_probability, {{ floor }}))
            end
        ) as log_likelihood_non_match
    from pattern_levels_with_u
    inner join m_{{ iteration - 1 }}
        on
            pattern_levels_with_u.comparison = m_{{ iteration - 1 }}.comparison
            and pattern_levels_with_u.comparison_level = m_{{ iteration - 1 }}.comparison_level
    group by pattern_levels_with_u.pattern_id
),

expected_counts_{{ iteration }} as (
    select
        pattern_levels_with_u.comparison,
        pattern_levels_with_u.comparison_level,
        sum(
            pattern_levels_with_u.pair_count
            / (1 + exp(least(posterior_{{ iteration }}.log_likelihood_non_match - posterior_{{ iteration }}.log_likelihood_match, 700)))
        ) as expected_matches,
        sum(pattern_levels_with_u.pair_count) as pair_count
    from pattern_levels_with_u
    inner join posterior_{{ iteration }}
        on pattern_levels_with_u.pattern_id = posterior_{{ iteration }}.pattern_id
    group by pattern_levels_with_u.comparison, pattern_levels_with_u.comparison_level
),

m_{{ iteration }} as (
    select
        comparison,
        comparison_level,
        case
            when comparison = '__match__' then expected_matches / pair_count
            else expected_matches / sum(expected_matches) over (partition by comparison)
        end as m_probability
    from expected_counts_{{ iteration }}
),
{%- endfor %}

last_change as (
    select max(abs(m_{{ iterations }}.m_probability - m_{{ iterations - 1 }}.m_probability)) as last_iteration_change
    from m_{{ iterations }}
    inner join m_{{ iterations - 1 }}
        on
            m_{{ iterations }}.comparison = m_{{ iterations - 1 }}.comparison
            and m_{{ iterations }}.comparison_level = m_{{ iterations - 1 }}.comparison_level
),

prior as (
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
        greatest(coalesce(m_{{ iterations }}.m_probability, 0), {{ floor }}) as m_probability,
        u_probabilities.u_probability
    from u_probabilities
    left join m_{{ iterations }}
        on
            u_probabilities.comparison = m_{{ iterations }}.comparison
            and u_probabilities.comparison_level = m_{{ iterations }}.comparison_level
),

final as (
    select
        weights.comparison,
        weights.comparison_level,
        weights.m_probability,
        weights.u_probability,
        ln(weights.m_probability / weights.u_probability) / ln(2) as match_weight,
        {{ iterations }} as em_iterations,
        last_change.last_iteration_change
    from weights
    cross join last_change

    union all

    select
        'prior' as comparison,
        0 as comparison_level,
        prior_probability as m_probability,
        1 - prior_probability as u_probability,
        ln(prior_probability / (1 - prior_probability)) / ln(2) as match_weight,
        {{ iterations }} as em_iterations,
        last_change.last_iteration_change
    from (
        select
            least(
                greatest(expected_matching_pairs, 1) / greatest(profile_count * (profile_count - 1) / 2.0, 1),
                0.5
            ) as prior_probability
        from prior
    ) as prior_probabilities
    cross join last_change
)

select * from final
