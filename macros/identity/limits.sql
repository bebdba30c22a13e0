{#-
  Per-customer identifier limits (seed identity_identifier_types, column max_values_per_customer): a cluster
  of profile records may carry at most that many distinct values of a type. Two CRM ids in one customer are
  a duplicate contact; four are usually four people joined by a chain of namesakes.
  Cannot-link pairs (optional conflicts_relation: left_node_id, right_node_id): two records known to be
  different people (a veto, or a pair the model judged almost surely different) may not end in one cluster,
  however many namesakes chain them together.

  Relations, by node id (any type; the identity layer uses profile ids):
    clusters_relation   node_id, component_id
    matches_relation    left_node_id, right_node_id, left_record_key, right_record_key, match_probability
                        (the record keys order ties and name the cuts, so every engine cuts the same matches)
    values_relation     node_id, identifier_type, identifier_value
    types_relation      identifier_type, is_linking, max_values_per_customer

  identity_limit_cuts() reads the clusters over a limit or holding a cannot-link pair (few) with their
  matches and values, and replays each cluster's matches strongest first, keeping a match unless it would
  join two parts whose values together exceed a limit or that hold the two ends of a cannot-link pair
  (Kruskal's algorithm with cannot-link constraints): the conflicting link is cut at its weakest edge, and
  every part left keeps within the limits. A match that closes a cycle inside a part is kept (it joins nothing
  new). Returns the cut matches as dicts (left_record_key, right_record_key as in the match,
  match_probability, component_id, cut_reason: identifier_limit or cannot_link; for a limit identifier_type,
  value_count, max_values_per_customer; for a cannot-link pair conflicting_left_record_key,
  conflicting_right_record_key, the smaller key left).

  Runs in Jinja on rows read from the warehouse, like the EM of int_identity_match_weights: every engine
  gets the same result. The replay is quadratic in the worst case, so the rows it may read are capped by
  var cdp_identity_max_limit_rows, with an error that says what to change.
-#}
{% macro identity_limit_cuts(clusters_relation, matches_relation, values_relation, types_relation, conflicts_relation=none) -%}
  {%- set cuts = [] -%}
  {%- if not execute -%}{{ return(cuts) }}{%- endif -%}
  {%- set max_rows = var('cdp_identity_max_limit_rows', 100000) -%}

  {%- set limits = {} -%}
  {%- set limit_rows = run_query(
      'select identifier_type, max_values_per_customer from ' ~ types_relation
      ~ ' where is_linking and max_values_per_customer is not null'
  ).rows -%}
  {%- for row in limit_rows -%}
    {%- do limits.update({row[0]: row[1] | int}) -%}
  {%- endfor -%}
  {%- if limits | length == 0 and conflicts_relation is none -%}{{ return(cuts) }}{%- endif -%}

  {%- set limited_values_sql -%}
    select clusters.component_id, clusters.node_id, limited.identifier_type, limited.identifier_value
    from {{ values_relation }} as limited
    inner join {{ clusters_relation }} as clusters
        on limited.node_id = clusters.node_id
    where limited.identifier_type in ('{{ (limits.keys() | list or ['']) | join("', '") }}')
  {%- endset -%}
  {%- set over_limit_sql -%}
    select distinct counted.component_id
    from (
        select limited_values.component_id, limited_values.identifier_type,
            count(distinct limited_values.identifier_value) as value_count
        from ({{ limited_values_sql }}) as limited_values
        group by limited_values.component_id, limited_values.identifier_type
    ) as counted
    inner join {{ types_relation }} as types
        on counted.identifier_type = types.identifier_type
    where counted.value_count > types.max_values_per_customer
  {%- endset -%}
  {%- set conflicts_sql -%}
    {%- if conflicts_relation is not none -%}
    select left_clusters.component_id, conflicts.left_node_id, conflicts.right_node_id
    from {{ conflicts_relation }} as conflicts
    inner join {{ clusters_relation }} as left_clusters
        on conflicts.left_node_id = left_clusters.node_id
    inner join {{ clusters_relation }} as right_clusters
        on conflicts.right_node_id = right_clusters.node_id
    where left_clusters.component_id = right_clusters.component_id
    {%- else -%}
    select component_id, node_id as left_node_id, node_id as right_node_id
    from {{ clusters_relation }}
    where 1 = 0
    {%- endif -%}
  {%- endset -%}
  {%- set replayed_sql -%}
    {{ over_limit_sql }}
    union
    select conflicts.component_id from ({{ conflicts_sql }}) as conflicts
  {%- endset -%}

  {%- set value_rows = run_query(
      'select limited_values.component_id, limited_values.node_id, limited_values.identifier_type, '
      ~ 'limited_values.identifier_value from (' ~ limited_values_sql ~ ') as limited_values '
      ~ 'where limited_values.component_id in (' ~ replayed_sql ~ ')'
  ).rows -%}
  {%- set conflict_rows = run_query(conflicts_sql).rows -%}
  {%- if value_rows | length == 0 and conflict_rows | length == 0 -%}{{ return(cuts) }}{%- endif -%}
  {%- set match_rows = run_query(
      'select clusters.component_id, matches.left_node_id, matches.right_node_id, '
      ~ 'matches.match_probability, matches.left_record_key, matches.right_record_key from '
      ~ matches_relation ~ ' as matches '
      ~ 'inner join ' ~ clusters_relation ~ ' as clusters on matches.left_node_id = clusters.node_id '
      ~ 'where clusters.component_id in (' ~ replayed_sql ~ ')'
  ).rows -%}
  {%- if value_rows | length + match_rows | length + conflict_rows | length > max_rows -%}
    {{ exceptions.raise_compiler_error(
        'Identifier limits: ' ~ (value_rows | length + match_rows | length + conflict_rows | length)
        ~ ' rows of clusters over a max_values_per_customer limit (seed identity_identifier_types) or holding '
        ~ 'a cannot-link pair, more than '
        ~ 'cdp_identity_max_limit_rows (' ~ max_rows ~ ') allows. So many over-limit clusters mean the limits '
        ~ 'are too low for these data or the match threshold (cdp_identity_match_threshold) too low; raise '
        ~ 'one of them, or cdp_identity_max_limit_rows.'
    ) }}
  {%- endif -%}

  {#- part_of: record -> part id; parts: part id -> {'nodes': [...], 'values': {type: [values]}} -#}
  {%- set part_of = {} -%}
  {%- set parts = {} -%}
  {%- for row in value_rows -%}
    {%- set node = row[1] -%}
    {%- if node not in part_of -%}
      {%- do part_of.update({node: node}) -%}
      {%- do parts.update({node: {'nodes': [node], 'values': {}}}) -%}
    {%- endif -%}
    {%- set held = parts[node]['values'].setdefault(row[2], []) -%}
    {%- if row[3] not in held -%}{%- do held.append(row[3]) -%}{%- endif -%}
  {%- endfor -%}

  {#- cannot_link: record -> the records it may not share a cluster with -#}
  {%- set cannot_link = {} -%}
  {%- for row in conflict_rows -%}
    {%- do cannot_link.setdefault(row[1], []).append(row[2]) -%}
    {%- do cannot_link.setdefault(row[2], []).append(row[1]) -%}
  {%- endfor -%}

  {#- Strongest first; probabilities rounded so that engines' last bits cannot reorder ties, then the record
      keys (in order: the same on every engine, unlike node ids such as hashes). Each node's record key, for
      the cannot-link pairs: both ends of one are in a replayed cluster, so in one of its matches. -#}
  {%- set ordered = [] -%}
  {%- set record_key_of = {} -%}
  {%- for row in match_rows -%}
    {%- set keys = [row[4], row[5]] -%}
    {%- do ordered.append([
        -1 * ((row[3] | float) | round(9)), keys | min, keys | max, row[1], row[2], row[0], row[3] | float,
        row[4], row[5]]) -%}
    {%- do record_key_of.update({row[1]: row[4], row[2]: row[5]}) -%}
  {%- endfor -%}
  {%- for sorted_edge in ordered | sort(case_sensitive=true) -%}
    {#- edge: [-, left node, right node, component, probability, left record key, right record key] -#}
    {%- set edge = [none] + sorted_edge[3:] -%}
    {%- for node in edge[1:3] -%}
      {%- if node not in part_of -%}
        {%- do part_of.update({node: node}) -%}
        {%- do parts.update({node: {'nodes': [node], 'values': {}}}) -%}
      {%- endif -%}
    {%- endfor -%}
    {%- set left_part = part_of[edge[1]] -%}
    {%- set right_part = part_of[edge[2]] -%}
    {%- if left_part != right_part -%}
      {%- set exceeded = namespace(identifier_type=none, value_count=0) -%}
      {%- for identifier_type, limit in limits.items() -%}
        {%- set joined = [] -%}
        {%- for value in parts[left_part]['values'].get(identifier_type, [])
            + parts[right_part]['values'].get(identifier_type, []) -%}
          {%- if value not in joined -%}{%- do joined.append(value) -%}{%- endif -%}
        {%- endfor -%}
        {%- if exceeded.identifier_type is none and joined | length > limit -%}
          {%- set exceeded.identifier_type = identifier_type -%}
          {%- set exceeded.value_count = joined | length -%}
        {%- endif -%}
      {%- endfor -%}
      {#- A cannot-link pair across the two parts (looked up from the smaller part). -#}
      {%- set conflict = namespace(left_record_key=none, right_record_key=none) -%}
      {%- if exceeded.identifier_type is none and cannot_link -%}
        {%- set small_part, large_part = (left_part, right_part)
            if parts[left_part]['nodes'] | length <= parts[right_part]['nodes'] | length
            else (right_part, left_part) -%}
        {%- for node in parts[small_part]['nodes'] if conflict.left_record_key is none -%}
          {%- for other in cannot_link.get(node, []) if conflict.left_record_key is none -%}
            {%- if part_of.get(other) == large_part -%}
              {%- set conflict.left_record_key = [record_key_of[node], record_key_of[other]] | min -%}
              {%- set conflict.right_record_key = [record_key_of[node], record_key_of[other]] | max -%}
            {%- endif -%}
          {%- endfor -%}
        {%- endfor -%}
      {%- endif -%}
      {%- if exceeded.identifier_type is not none -%}
        {%- do cuts.append({
            'left_record_key': edge[5],
            'right_record_key': edge[6],
            'match_probability': edge[4],
            'component_id': edge[3],
            'cut_reason': 'identifier_limit',
            'identifier_type': exceeded.identifier_type,
            'value_count': exceeded.value_count,
            'max_values_per_customer': limits[exceeded.identifier_type],
            'conflicting_left_record_key': none,
            'conflicting_right_record_key': none,
        }) -%}
      {%- elif conflict.left_record_key is not none -%}
        {%- do cuts.append({
            'left_record_key': edge[5],
            'right_record_key': edge[6],
            'match_probability': edge[4],
            'component_id': edge[3],
            'cut_reason': 'cannot_link',
            'identifier_type': none,
            'value_count': none,
            'max_values_per_customer': none,
            'conflicting_left_record_key': conflict.left_record_key,
            'conflicting_right_record_key': conflict.right_record_key,
        }) -%}
      {%- else -%}
        {#- Join the smaller part into the larger: each record moves O(log n) times. -#}
        {%- set keep, absorb = (left_part, right_part)
            if parts[left_part]['nodes'] | length >= parts[right_part]['nodes'] | length
            else (right_part, left_part) -%}
        {%- for node in parts[absorb]['nodes'] -%}
          {%- do part_of.update({node: keep}) -%}
          {%- do parts[keep]['nodes'].append(node) -%}
        {%- endfor -%}
        {%- for identifier_type, values in parts[absorb]['values'].items() -%}
          {%- set held = parts[keep]['values'].setdefault(identifier_type, []) -%}
          {%- for value in values -%}
            {%- if value not in held -%}{%- do held.append(value) -%}{%- endif -%}
          {%- endfor -%}
        {%- endfor -%}
        {%- do parts.pop(absorb) -%}
      {%- endif -%}
    {%- endif -%}
  {%- endfor -%}
  {{ return(cuts) }}
{%- endmacro %}
