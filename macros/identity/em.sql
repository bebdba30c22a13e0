{#-
  Expectation-maximisation of the m probabilities (see int_identity_match_weights), on the comparison
  patterns (a few hundred rows) read from the warehouse, u held fixed. Returns
  {'m': {'<comparison>:<level>': m}, 'iterations': passes of the longest session, 'change': largest change
  in the last pass}. Runs in Jinja so every engine gets the same arithmetic and Spark no plan 25 passes deep.
-#}
{% macro identity_em_estimates(patterns_relation, u_relation) -%}
  {%- set comparisons = cdp.identity_comparisons() -%}
  {%- set max_iterations = var('cdp_identity_em_iterations', 100) -%}
  {%- set tolerance = 0.000001 -%}
  {%- set floor = 0.000001 -%}

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
      {#- Each pattern of the session as the keys of its free comparisons (null levels say nothing) and its
          pair count, worked out once rather than in every pass. -#}
      {%- set session_patterns = [] -%}
      {%- set seen = {} -%}
      {%- for row in pattern_rows -%}
        {%- set in_block = namespace(value=true) -%}
        {%- for comparison in comparisons -%}
          {%- if comparison in session.levels and (row[loop.index0] is none or (row[loop.index0] | int) != session.levels[comparison]) -%}
            {%- set in_block.value = false -%}
          {%- endif -%}
        {%- endfor -%}
        {%- if in_block.value -%}
          {%- set keys = [] -%}
          {%- for comparison in comparisons -%}
            {%- if comparison in free and row[loop.index0] is not none -%}
              {%- do keys.append(comparison ~ ':' ~ (row[loop.index0] | int)) -%}
              {%- if max_iterations > 0 -%}{%- do seen.update({comparison: true}) -%}{%- endif -%}
            {%- endif -%}
          {%- endfor -%}
          {%- do session_patterns.append([keys, row[comparisons | length] | float]) -%}
        {%- endif -%}
      {%- endfor -%}
      {%- set session_m = {} -%}
      {%- do session_m.update(m) -%}
      {%- set session_state = namespace(match_share=0.5, change=1.0, iterations=0) -%}
      {%- for iteration in range(max_iterations) -%}
        {%- if session_state.change > tolerance -%}
          {%- set expected = {} -%}
          {%- set totals = namespace(matches=0.0, pairs=0.0) -%}
          {%- for keys, pair_count in session_patterns -%}
            {%- set likelihood = namespace(match=session_state.match_share, non_match=1 - session_state.match_share) -%}
            {%- for key in keys -%}
              {%- set likelihood.match = likelihood.match * session_m[key] -%}
              {%- set likelihood.non_match = likelihood.non_match * u.get(key, 1.0) -%}
            {%- endfor -%}
            {%- set expected_matches = pair_count * likelihood.match / (likelihood.match + likelihood.non_match) -%}
            {%- set totals.matches = totals.matches + expected_matches -%}
            {%- set totals.pairs = totals.pairs + pair_count -%}
            {%- for key in keys -%}
              {%- do expected.update({key: expected.get(key, 0.0) + expected_matches}) -%}
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
  {%- endif -%}
  {{ return({'m': m, 'iterations': state.iterations, 'change': state.change}) }}
{%- endmacro %}
