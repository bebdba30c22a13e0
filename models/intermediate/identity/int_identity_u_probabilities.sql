{#-
  u probabilities: how often each comparison level occurs between two records of different people. Two
  profile records drawn at random are almost never the same person, so u is measured on random pairs
  (each record against the records k places further in a hash order), as Splink's
  estimate_u_using_random_sampling does: about cdp_identity_u_random_pairs pairs in all, with at least one
  and at most cdp_identity_u_pairs_per_record per record. A level never seen in the sample gets half a pair.
-#}

{%- set random_pairs = var('cdp_identity_u_random_pairs', 2000000) -%}

with

profiles as (
    select * from {{ ref('int_identity_profiles') }}
),

shuffled as (
    select
        *,
        row_number() over (order by {{ dbt.hash('record_key') }} asc, record_key asc) as shuffled_position,
        count(*) over () as profile_count
    from profiles
),

offsets as (
    {%- for offset in cdp.identity_u_pair_offsets() %}
        select {{ offset }} as pair_offset{{ ' union all' if not loop.last }}
    {%- endfor %}
),

random_pairs as (
    select
        {{ cdp.identity_comparison_levels('left_profiles', 'right_profiles') }}
    from shuffled as left_profiles
    cross join offsets
    inner join shuffled as right_profiles
        on
            right_profiles.shuffled_position
            = mod(left_profiles.shuffled_position - 1 + offsets.pair_offset, left_profiles.profile_count) + 1
    where
        offsets.pair_offset < left_profiles.profile_count
        and offsets.pair_offset <= greatest(1, {{ random_pairs }} / left_profiles.profile_count)
),

levels_observed as (
    {%- for comparison, level_count in cdp.identity_comparisons().items() %}
        select
            '{{ comparison }}' as comparison,
            {{ comparison }}_level as comparison_level,
            count(*) as pair_count
        from random_pairs
        where {{ comparison }}_level is not null
        group by {{ comparison }}_level
        {{ "union all" if not loop.last }}
    {%- endfor %}
),

all_levels as (
    {%- for comparison, level_count in cdp.identity_comparisons().items() %}
        {%- set comparison_loop = loop %}
        {%- for level in range(level_count) %}
            select '{{ comparison }}' as comparison, {{ level }} as comparison_level
            {{- ' union all' if not (comparison_loop.last and loop.last) }}
        {%- endfor %}
    {%- endfor %}
),

counted as (
    select
        all_levels.comparison,
        all_levels.comparison_level,
        coalesce(levels_observed.pair_count, 0) as pair_count,
        coalesce(levels_observed.pair_count, 0.5) as smoothed_count
    from all_levels
    left join levels_observed
        on
            all_levels.comparison = levels_observed.comparison
            and all_levels.comparison_level = levels_observed.comparison_level
),

final as (
    select
        comparison,
        comparison_level,
        pair_count as random_pair_count,
        smoothed_count / sum(smoothed_count) over (partition by comparison) as u_probability
    from counted
)

select * from final
