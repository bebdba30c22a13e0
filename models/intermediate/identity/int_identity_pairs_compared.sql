{#-
  Candidate pairs of profile records and how they compare, field by field. Candidates come from blocking
  rules (var cdp_identity_blocking_rules: pairs agreeing exactly on a rule's columns; 'phone' means either
  phone of the record); blocks larger than the rule's max_block_size, by default cdp_identity_max_block_size,
  are skipped (a very common name in a big city would otherwise explode). blocking_rule is the first rule that
  produced the pair. Blocking keys stay text: DuckDB's fast hash() would have saved 0.3 s at a million
  profile records, but two keys sharing it make a pair that the rule did not find (see cdp.hash_integer),
  and a strong hash costs what it saves.
  Pairs are named by profile_id, the integer stand-in for record_key (the smaller id left): at a million
  profile records, the two record keys of 2.8 M pairs took 0.4 s to gather and 0.4 s to write here, and
  0.4 s to write again in int_identity_pairs_scored.
-#}

{%- set rules = cdp.identity_blocking_rules() -%}
{%- set max_block_size = var('cdp_identity_max_block_size', 20) -%}

with

profiles as (
    select * from {{ ref('int_identity_profiles') }}
),

blocking_keys as (
    {%- for rule in rules %}
        {%- set rule_loop = loop %}
        {%- set phone_columns = ['phone_e164', 'other_phone_e164'] if 'phone' in rule.columns else [none] %}
        {%- for phone_column in phone_columns %}
            {%- set columns = [] %}
            {%- for column in rule.columns %}
                {%- do columns.append(phone_column if column == 'phone' else column) %}
            {%- endfor %}
            select
                profile_id,
                {{ rule_loop.index }} as rule_order,
                {%- set parts = [] %}
                {%- for column in columns %}
                    {%- do parts.append('cast(' ~ column ~ ' as ' ~ dbt.type_string() ~ ')') %}
                    {%- if not loop.last %}{% do parts.append("'|'") %}{% endif %}
                {%- endfor %}
                {{ dbt.concat(parts) if parts | length > 1 else parts[0] }} as blocking_key
            from profiles
            where {{ columns | join(' is not null and ') }} is not null
            {%- if not (rule_loop.last and loop.last) %}
                union all
            {%- endif %}
        {%- endfor %}
    {%- endfor %}
),

block_sizes as (
    select
        rule_order,
        blocking_key,
        count(*) as block_size
    from blocking_keys
    group by rule_order, blocking_key
),

small_block_keys as (
    select blocking_keys.*
    from blocking_keys
    inner join block_sizes
        on
            blocking_keys.rule_order = block_sizes.rule_order
            and blocking_keys.blocking_key = block_sizes.blocking_key
    where
        block_sizes.block_size >= 2
        and block_sizes.block_size <= case block_sizes.rule_order
            {%- for rule in rules %}
                when {{ loop.index }} then {{ rule.max_block_size | default(max_block_size) }}
            {%- endfor %}
        end
),

candidate_pairs as (
    select
        left_keys.profile_id as left_profile_id,
        right_keys.profile_id as right_profile_id,
        min(left_keys.rule_order) as rule_order
    from small_block_keys as left_keys
    inner join small_block_keys as right_keys
        on
            left_keys.rule_order = right_keys.rule_order
            and left_keys.blocking_key = right_keys.blocking_key
            and left_keys.profile_id < right_keys.profile_id
    group by left_keys.profile_id, right_keys.profile_id
),

compared as (
    select
        candidate_pairs.left_profile_id,
        candidate_pairs.right_profile_id,
        case candidate_pairs.rule_order
            {%- for rule in rules %}
                when {{ loop.index }} then '{{ rule.name }}'
            {%- endfor %}
        end as blocking_rule,
        {{ cdp.identity_comparison_levels('left_profiles', 'right_profiles') }},
        {#- How many profile records carry the name both records carry (its term frequency, for the score):
            a number rather than the name, which cost the score two joins on names. #}
        case
            when left_profiles.first_name_key = right_profiles.first_name_key then left_profiles.first_name_frequency
        end as agreed_first_name_frequency,
        case
            when left_profiles.last_name_key = right_profiles.last_name_key then left_profiles.last_name_frequency
        end as agreed_last_name_frequency
    from candidate_pairs
    inner join profiles as left_profiles
        on candidate_pairs.left_profile_id = left_profiles.profile_id
    inner join profiles as right_profiles
        on candidate_pairs.right_profile_id = right_profiles.profile_id
),

final as (
    select
        *,
        {{ cdp.identity_is_vetoed() }} as is_vetoed
    from compared
)

select * from final
