{#-
  Every candidate pair of profile records with its Fellegi-Sunter score: the prior's weight plus the weight
  of each comparison level (int_identity_match_weights). Exact given-name and surname agreement is weighed by
  how rare the name is (term frequency among profile records, as Splink's term-frequency adjustment):
  two 'Dupont' agree less tellingly than two 'Kowalczyk'. A pair is a match when its probability reaches
  cdp_identity_match_threshold and no veto applies, unless the conflict guard cuts it.

  Conflict guard (the weakest link between incompatible profiles): a record with little information (a
  namesake without birth date) can score above the threshold with two records that veto each other (two
  namesakes with different birth dates) and would merge them. When record a matches both b and c and (b, c)
  is a conflicting pair (a veto level, see identity_is_conflicting), only a's stronger link survives (ties:
  the link to the smaller record key, so that every engine keeps the same one).

  Pairs are named by profile id, as in int_identity_pairs_compared. The record keys are filled in for the
  pairs above the threshold (the links: the matches, and those the conflict guard cut), which the models
  downstream name; for any other pair, join int_identity_profiles on the ids. The comparison levels stay in
  int_identity_pairs_compared: written again here, they made this model 45% slower at 5.9 M pairs.
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

named_profiles as (
    select
        count(first_name_key) as first_name_count,
        count(last_name_key) as last_name_count
    from profiles
),

prior_weight as (
    select match_weight from weights
    where comparison = 'prior'
),

scored as (
    select
        pairs.left_profile_id,
        pairs.right_profile_id,
        pairs.blocking_rule,
        pairs.is_vetoed,
        {{ cdp.identity_is_conflicting('pairs') }} as is_conflicting,
        prior_weight.match_weight
        {%- for comparison in comparisons %}
            + coalesce(
                {%- if comparison in ('first_name', 'last_name') %}
                    case
                        when pairs.{{ comparison }}_level = 2
                            then
                                ln(
                                    {{ comparison }}_weights.m_probability * named_profiles.{{ comparison }}_count
                                    / pairs.agreed_{{ comparison }}_frequency
                                )
                                / ln(2)
                    end,
                {%- endif %}
                {{ comparison }}_weights.match_weight,
                0
            )
        {%- endfor %}
            as match_weight
    from pairs
    cross join prior_weight
    cross join named_profiles
    {%- for comparison in comparisons %}
        left join weights as {{ comparison }}_weights
            on
                {{ comparison }}_weights.comparison = '{{ comparison }}'
                and pairs.{{ comparison }}_level = {{ comparison }}_weights.comparison_level
    {%- endfor %}
),

probabilities as (
    select
        *,
        1 / (1 + exp(-least(greatest(match_weight, -700), 700) * ln(2))) as match_probability
    from scored
),

links as (
    select
        probabilities.left_profile_id,
        probabilities.right_profile_id,
        left_profiles.record_key as left_record_key,
        right_profiles.record_key as right_record_key,
        probabilities.match_weight
    from probabilities
    inner join profiles as left_profiles
        on probabilities.left_profile_id = left_profiles.profile_id
    inner join profiles as right_profiles
        on probabilities.right_profile_id = right_profiles.profile_id
    where not probabilities.is_vetoed and probabilities.match_probability >= {{ threshold }}
),

{# Every link from both ends: (record, neighbour). #}
record_links as (
    select
        left_profile_id as profile_id,
        right_profile_id as neighbour_profile_id,
        right_record_key as neighbour_record_key,
        match_weight
    from links
    union all
    select
        right_profile_id as profile_id,
        left_profile_id as neighbour_profile_id,
        left_record_key as neighbour_record_key,
        match_weight
    from links
),

conflicting_pairs as (
    select
        left_profile_id,
        right_profile_id
    from scored
    where is_conflicting
    union all
    select
        right_profile_id as left_profile_id,
        left_profile_id as right_profile_id
    from scored
    where is_conflicting
),

{# Links of a record that lose to a stronger link of the same record towards a conflicting neighbour. #}
weaker_links as (
    select distinct
        weaker.profile_id,
        weaker.neighbour_profile_id
    from record_links as weaker
    inner join record_links as stronger
        on
            weaker.profile_id = stronger.profile_id
            and weaker.neighbour_profile_id <> stronger.neighbour_profile_id
    inner join conflicting_pairs
        on
            weaker.neighbour_profile_id = conflicting_pairs.left_profile_id
            and stronger.neighbour_profile_id = conflicting_pairs.right_profile_id
    where
        stronger.match_weight > weaker.match_weight
        or (stronger.match_weight = weaker.match_weight and stronger.neighbour_record_key < weaker.neighbour_record_key)
),

cut_links as (
    select distinct
        least(profile_id, neighbour_profile_id) as left_profile_id,
        greatest(profile_id, neighbour_profile_id) as right_profile_id
    from weaker_links
),

final as (
    select
        probabilities.left_profile_id,
        probabilities.right_profile_id,
        links.left_record_key,
        links.right_record_key,
        probabilities.blocking_rule,
        probabilities.match_weight,
        probabilities.match_probability,
        probabilities.is_vetoed,
        probabilities.is_conflicting,
        cut_links.left_profile_id is not null as is_cut_by_conflict,
        links.left_profile_id is not null and cut_links.left_profile_id is null as is_match
    from probabilities
    left join links
        on
            probabilities.left_profile_id = links.left_profile_id
            and probabilities.right_profile_id = links.right_profile_id
    left join cut_links
        on
            probabilities.left_profile_id = cut_links.left_profile_id
            and probabilities.right_profile_id = cut_links.right_profile_id
)

select * from final
