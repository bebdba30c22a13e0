{#-
  The distinct comparison vectors (one level per comparison) of the candidate pairs that are not vetoed,
  with how many pairs show each: expectation-maximisation runs on these few hundred rows, not on the pairs.
-#}

{%- set comparisons = cdp.identity_comparisons() -%}

with

pairs as (
    select * from {{ ref('int_identity_pairs_compared') }}
    where not is_vetoed
),

patterns as (
    select
        {%- for comparison in comparisons %}
            {{ comparison }}_level,
        {%- endfor %}
        count(*) as pair_count
    from pairs
    group by {{ cdp.identity_level_columns() | join(', ') }}
),

final as (
    select
        {{ cdp.surrogate_key(cdp.identity_level_columns()) }} as pattern_id,
        *
    from patterns
)

select * from final
