{#-
  Every candidate pair of profile records with its Fellegi-Sunter score: the prior's weight plus the weight
  of each comparison level (int_identity_match_weights). Exact given-name and surname agreement is weighed by
  how rare the name is (term frequency among profile records, as Splink's term-frequency adjustment):
  two 'Dupont' agree less tellingly than two 'Kowalczyk'. A pair is a match when its probability reaches
  cdp_identity_match_threshold and no veto applies.
-#}

{%- set comparisons = cdp.identity_comparisons() -%}
{%- set threshold = var('cdp_identity_match_threshold', 0.9) -%}

with

pairs as (
    select * from {{ ref('int_identity_pairs_compared') }}
),

weights as (
    select * from {{ ref('int_identity_match_weights') }}
),

profiles as (
    select * from {{ ref('int_identity_profiles') }}
),

first_name_frequencies as (
    select
        first_name_key as name_key,
        count(*) * 1.0 / sum(count(*)) over () as term_frequency
    from profiles
    where first_name_key is not null
    group by first_name_key
),

last_name_frequencies as (
    select
        last_name_key as name_key,
        count(*) * 1.0 / sum(count(*)) over () as term_frequency
    from profiles
    where last_name_key is not null
    group by last_name_key
),

prior as (
    select match_weight from weights
    where comparison = 'prior'
),

scored as (
    select
        pairs.*,
        prior.match_weight
        {%- for comparison in comparisons %}
        + coalesce(
            {%- if comparison in ('first_name', 'last_name') %}
            case
                when pairs.{{ comparison }}_level = 2
                    then ln({{ comparison }}_weights.m_probability / {{ comparison }}_frequencies.term_frequency) / ln(2)
            end,
            {%- endif %}
            {{ comparison }}_weights.match_weight,
            0
        )
        {%- endfor %}
        as match_weight
    from pairs
    cross join prior
    {%- for comparison in comparisons %}
    left join weights as {{ comparison }}_weights
        on
            {{ comparison }}_weights.comparison = '{{ comparison }}'
            and pairs.{{ comparison }}_level = {{ comparison }}_weights.comparison_level
    {%- endfor %}
    left join first_name_frequencies
        on pairs.agreed_first_name_key = first_name_frequencies.name_key
    left join last_name_frequencies
        on pairs.agreed_last_name_key = last_name_frequencies.name_key
),

final as (
    select
        *,
        1 / (1 + exp(-least(greatest(match_weight, -700), 700) * ln(2))) as match_probability,
        not is_vetoed and 1 / (1 + exp(-least(greatest(match_weight, -700), 700) * ln(2))) >= {{ threshold }} as is_match
    from scored
)

select * from final
