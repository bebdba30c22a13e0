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
{%- set max_iterations = var('cdp_identity_em_iterations', 100) -%}
{%- set tolerance = 0.000001 -%}
{%- set recall = var('cdp_identity_deterministic_recall', 0.7) -%}
{%- set floor = 0.000001 -%}
{%- set patterns_relation = ref('int_identity_comparison_patterns') -%}
{%- set u_relation = ref('int_identity_u_probabilities') -%}

{%- set sessions = var('cdp_identity_em_training_blocks') -%}
{%- set u = {} -%}
{%- set m = {} -%}
{%- set state = namespace(change=0.0, iterations=0) -%}
{%- for comparison, level_count in comparisons.items() -%}
  {%- for level in range(level_count) -%}
    {%- do m.update({comparison ~ ':' ~ level: 0.9 if level == level_count - 1 else 0.1 / (level_count - 1)}) -%}
  {%- endfor -%}
{%- endfor -%}

{%- if execute -%}
  {%- for row in run_query('select comparison, comparison_level, u_probability from ' ~ u_relation).rows -%}
    {%- do u.update({row[0] ~ ':' ~ (row[1] | int): [row[2] | float, floor] | max}) -%}
  {%- endfor -%}
  {%- set pattern_rows = run_query(
      'select ' ~ cdp.identity_level_columns() | join(', ') ~ ', pair_count from ' ~ patterns_relation
  ).rows -%}
  {#- Per comparison level: the sum of its estimates over the sessions that saw the comparison, and how many. -#}
  {%- set estimate_sums = {} -%}
  {%- set estimate_counts = {} -%}
  {%- for session in sessions -%}
    {%- set free = [] -%}
    {%- for comparison in comparisons -%}
      {%- if comparison not in session.levels -%}{%- do free.append(comparison) -%}{%- endif -%}
    {%- endfor -%}
    {%- set session_rows = [] -%}
    {%- for row in pattern_rows -%}
      {%- set in_block = namespace(value=true) -%}
      {%- for comparison in comparisons -%}
        {%- if comparison in session.levels and (row[loop.index0] is none or (row[loop.index0] | int) != session.levels[comparison]) -%}
          {%- set in_block.value = false -%}
        {%- endif -%}
      {%- endfor -%}
      {%- if in_block.value -%}{%- do session_rows.append(row) -%}{%- endif -%}
    {%- endfor -%}
    {%- set session_m = {} -%}
    {%- do session_m.update(m) -%}
    {%- set session_state = namespace(match_share=0.5, change=1.0, iterations=0) -%}
    {%- set seen = {} -%}
    {%- for iteration in range(max_iterations) -%}
      {%- if session_state.change > tolerance -%}
        {%- set expected = {} -%}
        {%- set totals = namespace(matches=0.0, pairs=0.0) -%}
        {%- for row in session_rows -%}
          {%- set likelihood = namespace(match=session_state.match_share, non_match=1 - session_state.match_share) -%}
          {%- for comparison in comparisons -%}
            {%- if comparison in free and row[loop.index0] is not none -%}
              {%- set key = comparison ~ ':' ~ (row[loop.index0] | int) -%}
              {%- set likelihood.match = likelihood.match * session_m[key] -%}
              {%- set likelihood.non_match = likelihood.non_match * u.get(key, 1.0) -%}
            {%- endif -%}
          {%- endfor -%}
          {%- set pair_count = row[comparisons | length] | float -%}
          {%- set expected_matches = pair_count * likelihood.match / (likelihood.match + likelihood.non_match) -%}
          {%- set totals.matches = totals.matches + expected_matches -%}
          {%- set totals.pairs = totals.pairs + pair_count -%}
          {%- for comparison in comparisons -%}
            {%- if comparison in free and row[loop.index0] is not none -%}
              {%- set key = comparison ~ ':' ~ (row[loop.index0] | int) -%}
              {%- do expected.update({key: expected.get(key, 0.0) + expected_matches}) -%}
              {%- do seen.update({comparison: true}) -%}
            {%- endif -%}
          {%- endfor -%}
        {%- endfor -%}
        {%- set pass_state = namespace(change=0.0) -%}
        {%- for comparison, level_count in comparisons.items() if comparison in free -%}
          {%- set comparison_total = namespace(value=0.0) -%}
          {%- for level in range(level_count) -%}
            {%- set comparison_total.value = comparison_total.value + expected.get(comparison ~ ':' ~ level, 0.0) -%}
          {%- endfor -%}
          {%- for level in range(level_count) -%}
            {%- set key = comparison ~ ':' ~ level -%}
            {%- set updated = [expected.get(key, 0.0) / ([comparison_total.value, floor] | max), floor] | max -%}
            {%- set pass_state.change = [pass_state.change, (updated - session_m[key]) | abs] | max -%}
            {%- do session_m.update({key: updated}) -%}
          {%- endfor -%}
        {%- endfor -%}
        {%- set updated_share = totals.matches / ([totals.pairs, 1.0] | max) -%}
        {%- set session_state.change = [pass_state.change, (updated_share - session_state.match_share) | abs] | max -%}
        {%- set session_state.match_share = [[updated_share, floor] | max, 1 - floor] | min -%}
        {%- set session_state.iterations = session_state.iterations + 1 -%}
      {%- endif -%}
    {%- endfor -%}
    {%- for comparison, level_count in comparisons.items() if comparison in seen -%}
      {%- for level in range(level_count) -%}
        {%- set key = comparison ~ ':' ~ level -%}
        {%- do estimate_sums.update({key: estimate_sums.get(key, 0.0) + session_m[key]}) -%}
        {%- do estimate_counts.update({key: estimate_counts.get(key, 0) + 1}) -%}
      {%- endfor -%}
    {%- endfor -%}
    {%- set state.change = [state.change, session_state.change] | max -%}
    {%- set state.iterations = [state.iterations, session_state.iterations] | max -%}
  {%- endfor -%}
  {%- for key in estimate_sums -%}
    {%- do m.update({key: estimate_sums[key] / estimate_counts[key]}) -%}
  {%- endfor -%}
{%- endif %}

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
        cast({{ m[comparison ~ ':' ~ level] }} as {{ dbt.type_float() }}) as m_probability
    {{- '\n    union all' if not (comparison_loop.last and loop.last) }}
    {%- endfor %}
    {%- endfor %}
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
        {{ state.iterations }} as em_iterations,
        cast({{ state.change }} as {{ dbt.type_float() }}) as last_iteration_change
    from weights

    union all

    select
        'prior' as comparison,
        0 as comparison_level,
        prior_probability as m_probability,
        1 - prior_probability as u_probability,
        ln(prior_probability / (1 - prior_probability)) / ln(2) as match_weight,
        {{ state.iterations }} as em_iterations,
        cast({{ state.change }} as {{ dbt.type_float() }}) as last_iteration_change
    from (
        select
            least(
                greatest(expected_matching_pairs, 1) / greatest(profile_count * (profile_count - 1) / 2.0, 1),
                0.5
            ) as prior_probability
        from prior
    ) as prior_probabilities
)

select * from final
