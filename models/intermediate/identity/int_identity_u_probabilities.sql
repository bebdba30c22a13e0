{#-
  u probabilities: how often each comparison level occurs between two records of different people. Two
  profile records drawn at random are almost never the same person, so u is measured on random pairs, as
  Splink's estimate_u_using_random_sampling does: about cdp_identity_u_random_pairs pairs in all, and at most
  cdp_identity_u_pairs_per_record per record on average. A level never seen in the sample gets half a pair.

  The pairs are the records sharing a bucket of an integer hash of their profile id: with b buckets, two
  given records share one with probability 1/b, so every pair is equally likely to be drawn, and about
  n(n-1)/2b pairs are. Numbering the records in a hash order and pairing neighbours drew the same kind of
  sample, but sorting 1.8 M profile records took 3 s of the model's 3.3 s.
-#}

{%- set random_pairs, pairs_per_record = cdp.identity_u_sample_size() -%}

with

profiles as (
    select * from {{ ref('int_identity_profiles') }}
),

sample_size as (
    select
        count(*) as profile_count,
        least({{ pairs_per_record }}, {{ random_pairs }} * 1.0 / greatest(count(*), 1)) as pairs_per_record
    from profiles
),

bucket_counts as (
    select
        cast(
            greatest(1, round((profile_count - 1) / (2 * pairs_per_record))) as {{ dbt.type_bigint() }}
        ) as bucket_count
    from sample_size
),

bucketed as (
    select
        profiles.*,
        {{ cdp.hash_bucket('profiles.profile_id', 'bucket_counts.bucket_count') }} as sample_bucket
    from profiles
    cross join bucket_counts
),

random_pairs as (
    select
        {{ cdp.identity_comparison_levels('left_profiles', 'right_profiles') }}
    from bucketed as left_profiles
    inner join bucketed as right_profiles
        on
            left_profiles.sample_bucket = right_profiles.sample_bucket
            and left_profiles.profile_id < right_profiles.profile_id
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
