{#-
  connected_components: a materialization that labels every node of a graph with its connected component.

  Why it exists
    Identity resolution links records (nodes) that share an identifier (edges) and needs the connected
    components of that graph. A recursive CTE is not portable (Spark < 4.1 has none) and needs as many steps
    as the graph's diameter; rerunning a model from a shell loop until nothing changes happens outside dbt,
    with no bound and no record. This materialization iterates inside one dbt node, on work tables, until no
    label changes, within a bound, and says in its output whether it got there.

  Contract of the model SQL
    A select of exactly two string columns (integer ones with node_ids='integer'):
      node_id         a node (e.g. 'crm_contacts:CRM0000000042')
      linked_node_id  a node linked to it
    Edges are undirected; duplicates and both orientations are allowed. A node without edges is given as a
    self-edge (node_id = linked_node_id); a row with one null end declares its other end as a node; null is
    never a node.

  Config
    max_iterations  (default 40) bound on the number of rounds. A path of n nodes needs about log3(n)
                    rounds when its ids are in random order, 1 when they are sorted; random graphs need 3-5.
    node_ids        'string' (default) or 'integer': integer ids are their own keys, which skips turning
                    ids into keys and back (a million profile records and 357,000 matches: 1.4-1.6 s on
                    record keys, 0.8-0.9 s on integer profile ids).

  Output: a table, one row per node
    node_id       the node
    component_id  the smallest node_id of its component (binary string order on every engine, so the same
                  graph gives the same ids on DuckDB, PostgreSQL and Spark, whatever the edge order; numeric
                  order for integer ids)
    iterations    rounds that ran (the same on every row)
    is_converged  false when max_iterations ran out before the labels settled. The table is still written
                  and the run does not fail: test it with cdp.connected_components_converged (fails on such
                  rows) and cdp.edges_within_one_component (re-checks every edge independently).

  Algorithm: min-label propagation with pointer jumping, on a graph that shrinks every round.
    String ids get integer keys in node_id order (joins on integers are several times faster than on
    strings; the names come back at the end); integer ids are their own keys. Edges are stored once, ends
    in ascending order; self-edges seed the nodes in round 1 and vanish with the first contraction. Each
    round, on the current graph:
      1. hook: every node points to the smallest of itself and its neighbours. Pointers only go down, so
         they form a forest whose roots point to themselves.
      2. pointer jumping: parent := parent's parent, two jumps per statement, until nothing changes. Each
         jump doubles the distance a pointer covers, so a tree of depth d takes log2(d) jumps (a path whose
         ids are sorted is one tree of depth n: one round). A node whose parent is a root is settled and
         jumps no more, so later jumps touch only the few deep nodes.
      3. contraction: every edge becomes an edge between the roots of its ends; edges inside a tree vanish
         and parallel edges merge. The roots are the next round's nodes.
    The labels have converged when a round leaves no edge: another round would change nothing. A node's
    component is its root, then that root's root in the next round, and so on; one statement composes
    them at the end. Every pointer goes to a smaller node of the same component, so the last root is the
    component's smallest node.
    Measured on DuckDB, 2 cores shared with other builds: 10M random edges over 7M nodes, 4 rounds in
    48-59 s (about 60 s of CPU, half of it turning string ids into keys and back); a 1M-node path, 13
    rounds with shuffled ids, 1 round with sorted ids, 6-7 s each.

  Work tables (named after the model, suffix __cc_*) are temporary tables where the engine has them
  (DuckDB, PostgreSQL: they vanish with the transaction or session, even when a statement fails) and real
  tables elsewhere (Spark, whose temporary views would re-evaluate the whole lineage at every step); real
  ones are dropped at the end, and leftovers of a failed run are dropped at the start of the next one.
  The result is built into an intermediate table and renamed over the previous one at the end, as dbt's
  table materialization does, so a failed run leaves the previous table in place. Every run is a full
  rebuild (--full-refresh changes nothing). Model contracts are not supported: the output columns are fixed.
-#}

{% materialization connected_components, default %}
  {%- set max_iterations = config.get('max_iterations', 40) -%}
  {%- if max_iterations is not number or max_iterations is not integer or max_iterations < 1 -%}
    {{ exceptions.raise_compiler_error("connected_components: max_iterations must be a positive integer, got "
        ~ max_iterations ~ " in model " ~ model.name) }}
  {%- endif -%}
  {%- set node_ids = config.get('node_ids', 'string') -%}
  {%- if node_ids not in ('string', 'integer') -%}
    {{ exceptions.raise_compiler_error("connected_components: node_ids must be 'string' or 'integer', got '"
        ~ node_ids ~ "' in model " ~ model.name) }}
  {%- endif -%}
  {%- if config.get('contract') and config.get('contract').enforced -%}
    {{ exceptions.raise_compiler_error(
        "connected_components: model contracts are not supported (the output columns are fixed): " ~ model.name) }}
  {%- endif -%}

  {%- set existing_relation = load_cached_relation(this) -%}
  {%- set target_relation = this.incorporate(type='table') -%}
  {%- set intermediate_relation = make_intermediate_relation(target_relation) -%}
  {%- set preexisting_intermediate_relation = load_cached_relation(intermediate_relation) -%}
  {%- set backup_relation_type = 'table' if existing_relation is none else existing_relation.type -%}
  {%- set backup_relation = make_backup_relation(target_relation, backup_relation_type) -%}
  {%- set preexisting_backup_relation = load_cached_relation(backup_relation) -%}
  {%- set grant_config = config.get('grants') -%}

  {{ drop_relation_if_exists(preexisting_intermediate_relation) }}
  {{ drop_relation_if_exists(preexisting_backup_relation) }}
  {% do cdp.connected_components_drop_leftovers(target_relation, max_iterations) %}

  {{ run_hooks(pre_hooks, inside_transaction=False) }}
  -- `BEGIN` happens here:
  {{ run_hooks(pre_hooks, inside_transaction=True) }}

  {% do cdp.connected_components_check_columns(sql) %}
  {%- set labelling = cdp.connected_components_label(target_relation, sql, max_iterations, node_ids == 'integer') -%}

  {% call statement('main') -%}
    {{ get_create_table_as_sql(False, intermediate_relation, labelling['final_sql']) }}
  {%- endcall %}
  {% do create_indexes(intermediate_relation) %}

  {% for relation in labelling['work_relations'] %}
    {% do adapter.drop_relation(relation) %}
  {% endfor %}

  {% if existing_relation is not none %}
    {#- It could have been dropped since the start of the run. -#}
    {% set existing_relation = load_cached_relation(existing_relation) %}
    {% if existing_relation is not none %}
      {{ adapter.rename_relation(existing_relation, backup_relation) }}
    {% endif %}
  {% endif %}
  {{ adapter.rename_relation(intermediate_relation, target_relation) }}

  {{ run_hooks(post_hooks, inside_transaction=True) }}

  {% set should_revoke = should_revoke(existing_relation, full_refresh_mode=True) %}
  {% do apply_grants(target_relation, grant_config, should_revoke=should_revoke) %}
  {% do persist_docs(target_relation, model) %}

  -- `COMMIT` happens here
  {{ adapter.commit() }}

  {{ drop_relation_if_exists(backup_relation) }}

  {{ run_hooks(post_hooks, inside_transaction=False) }}

  {%- set summary = "connected_components: " ~ model.name ~ ": " ~ labelling['iterations'] ~ " round(s), " -%}
  {%- if labelling['is_converged'] -%}
    {{ log(summary ~ "converged", info=True) }}
  {%- else -%}
    {{ log(summary ~ "NOT converged (max_iterations=" ~ max_iterations ~ "); written with is_converged = false",
           info=True) }}
  {%- endif %}

  {{ return({'relations': [target_relation]}) }}
{% endmaterialization %}


{#- The rounds; returns the final select, the work tables to drop, the number of rounds and convergence. -#}
{% macro connected_components_label(target_relation, sql, max_iterations, integer_ids=false) %}
  {%- set state = namespace(rounds=0, is_converged=false, edges=none, jumped=none, roots=none) -%}
  {%- set round_roots = [] -%}

  {#- The model's rows once (it may be costly to evaluate), then integer keys and keyed edges. -#}
  {%- set input_edges = cdp.connected_components_create_work_table(
      target_relation, 'input', cdp.connected_components_input_edges_sql(sql, integer_ids)) -%}
  {%- set nodes = cdp.connected_components_create_work_table(
      target_relation, 'nodes', cdp.connected_components_nodes_sql(input_edges, integer_ids)) -%}
  {%- set state.edges = cdp.connected_components_create_work_table(
      target_relation, 'e0', cdp.connected_components_keyed_edges_sql(input_edges, nodes, integer_ids)) -%}
  {%- do adapter.drop_relation(input_edges) -%}

  {%- for round_number in range(1, max_iterations + 1) -%}
    {%- set state.rounds = round_number -%}
    {#- Hook and jump twice; a node whose parent is then a root is settled for good. -#}
    {%- set state.jumped = cdp.connected_components_create_work_table(
        target_relation, 'j' ~ round_number ~ 'a', cdp.connected_components_hook_and_jump_sql(state.edges)) -%}
    {%- set state.roots = state.jumped -%}
    {#- Unsettled nodes jump on (two tables in turn) while the settled ones gather in the round's roots
        table; log4(depth) statements, so 64 would be a bug. When all settle at once (trees of depth 4 or
        less), the first table is the roots table. -#}
    {%- for jump in range(64) -%}
      {%- if cdp.connected_components_scalar(
          "select count(*) from " ~ state.jumped ~ " where not is_settled") == 0 -%}
        {%- break -%}
      {%- endif -%}
      {%- if loop.last -%}
        {{ exceptions.raise_compiler_error("connected_components: pointer jumping did not settle in 64 jumps") }}
      {%- endif -%}
      {%- if loop.first -%}
        {%- set state.roots = cdp.connected_components_create_work_table(
            target_relation, 'r' ~ round_number, cdp.connected_components_settled_sql(state.jumped)) -%}
      {%- endif -%}
      {%- set jumped = cdp.connected_components_create_work_table(
          target_relation, 'j' ~ round_number ~ ('b' if loop.index is odd else 'a'),
          cdp.connected_components_jump_sql(state.jumped, state.roots)) -%}
      {%- do adapter.drop_relation(state.jumped) -%}
      {%- set state.jumped = jumped -%}
      {%- call statement('connected_components_settle') -%}
        insert into {{ state.roots }} {{ cdp.connected_components_settled_sql(state.jumped) }}
      {%- endcall -%}
    {%- endfor -%}
    {%- if state.jumped != state.roots -%}
      {%- do adapter.drop_relation(state.jumped) -%}
    {%- endif -%}
    {%- set roots = state.roots -%}
    {%- do round_roots.append(roots) -%}

    {%- set next_edges = cdp.connected_components_create_work_table(
        target_relation, 'e' ~ round_number, cdp.connected_components_contract_sql(state.edges, roots)) -%}
    {%- do adapter.drop_relation(state.edges) -%}
    {%- set state.edges = next_edges -%}
    {%- if cdp.connected_components_scalar("select count(*) from " ~ state.edges) == 0 -%}
      {%- set state.is_converged = true -%}
      {%- break -%}
    {%- endif -%}
  {%- endfor -%}

  {{ return({
      'final_sql': cdp.connected_components_final_sql(
          nodes, round_roots, state.rounds, state.is_converged, integer_ids),
      'work_relations': [nodes, state.edges] + round_roots,
      'iterations': state.rounds,
      'is_converged': state.is_converged,
  }) }}
{% endmacro %}


{% macro connected_components_input_edges_sql(sql, integer_ids) -%}
  select
      {{ cdp.connected_components_sortable_id('coalesce(node_id, linked_node_id)', integer_ids) }} as node_id,
      {{ cdp.connected_components_sortable_id('coalesce(linked_node_id, node_id)', integer_ids) }} as linked_node_id
  from (
      {{ sql }}
  ) as model_edges
  where node_id is not null or linked_node_id is not null
{%- endmacro %}


{#- String ids sort in binary order on every engine; integer ids as they are. -#}
{% macro connected_components_sortable_id(expression, integer_ids) -%}
  {{ expression if integer_ids else cdp.binary_order(expression) }}
{%- endmacro %}


{#- Integer ids are their own keys. -#}
{% macro connected_components_nodes_sql(input_edges, integer_ids) -%}
  with node_ids as (
      select node_id from {{ input_edges }}
      union
      select linked_node_id as node_id from {{ input_edges }}
  )

  select
      node_id,
      {{ 'node_id' if integer_ids else 'row_number() over (order by node_id)' }} as node_key
  from node_ids
{%- endmacro %}


{% macro connected_components_keyed_edges_sql(input_edges, nodes, integer_ids) -%}
  {%- if integer_ids %}
  select
      least(node_id, linked_node_id) as node_key,
      greatest(node_id, linked_node_id) as linked_node_key
  from {{ input_edges }}
  {%- else %}
  select
      least(node_keys.node_key, linked_node_keys.node_key) as node_key,
      greatest(node_keys.node_key, linked_node_keys.node_key) as linked_node_key
  from {{ input_edges }} as input_edges
  inner join {{ nodes }} as node_keys on input_edges.node_id = node_keys.node_id
  inner join {{ nodes }} as linked_node_keys on input_edges.linked_node_id = linked_node_keys.node_id
  {%- endif %}
{%- endmacro %}


{#-
  Hook: each node's parent is the smallest of itself and its neighbours (edges hold node_key <=
  linked_node_key). Then two pointer jumps: parent's parent, then the parent of that as it is after the
  first jump. is_settled: the parent is now a root (a root is its own parent, and stays one): the node
  will not move again. The CTEs used twice are materialized once by DuckDB and PostgreSQL.
-#}
{% macro connected_components_hook_and_jump_sql(edges) -%}
  with candidates as (
      select node_key, node_key as parent_key from {{ edges }}
      union all
      select linked_node_key as node_key, node_key as parent_key from {{ edges }}
  ),

  hooks as (
      select
          node_key,
          min(parent_key) as parent_key
      from candidates
      group by node_key
  ),

  jumped_once as (
      select
          child.node_key,
          parent.parent_key
      from hooks as child
      inner join hooks as parent on child.parent_key = parent.node_key
  ),

  jumped_twice as (
      select
          jumped_once.node_key,
          parent.parent_key
      from jumped_once
      inner join jumped_once as parent on jumped_once.parent_key = parent.node_key
  )

  select
      jumped_twice.node_key,
      jumped_twice.parent_key,
      parent.parent_key = parent.node_key as is_settled
  from jumped_twice
  inner join hooks as parent on jumped_twice.parent_key = parent.node_key
{%- endmacro %}


{#-
  Two more jumps for the unsettled nodes only; a node's current parent is in the roots table (settled
  nodes, roots included) or among them. Settled when the new parent is a root, i.e. in the roots table
  as its own parent.
-#}
{% macro connected_components_jump_sql(jumped, roots) -%}
  with unsettled as (
      select node_key, parent_key from {{ jumped }} where not is_settled
  ),

  current_parents as (
      select node_key, parent_key from {{ roots }}
      union all
      select node_key, parent_key from unsettled
  ),

  jumped_once as (
      select
          unsettled.node_key,
          current_parents.parent_key
      from unsettled
      inner join current_parents on unsettled.parent_key = current_parents.node_key
  ),

  parents_after_once as (
      select node_key, parent_key from {{ roots }}
      union all
      select node_key, parent_key from jumped_once
  ),

  jumped_twice as (
      select
          jumped_once.node_key,
          parents_after_once.parent_key
      from jumped_once
      inner join parents_after_once on jumped_once.parent_key = parents_after_once.node_key
  ),

  component_roots as (
      select node_key from {{ roots }} where parent_key = node_key
  )

  select
      jumped_twice.node_key,
      jumped_twice.parent_key,
      component_roots.node_key is not null as is_settled
  from jumped_twice
  left join component_roots on jumped_twice.parent_key = component_roots.node_key
{%- endmacro %}


{% macro connected_components_settled_sql(jumped) -%}
  select node_key, parent_key from {{ jumped }} where is_settled
{%- endmacro %}


{% macro connected_components_contract_sql(edges, roots) -%}
  with root_edges as (
      select
          node_roots.parent_key as node_key,
          linked_node_roots.parent_key as linked_node_key
      from {{ edges }} as edges
      inner join {{ roots }} as node_roots on edges.node_key = node_roots.node_key
      inner join {{ roots }} as linked_node_roots on edges.linked_node_key = linked_node_roots.node_key
      where node_roots.parent_key <> linked_node_roots.parent_key
  )

  select distinct
      least(node_key, linked_node_key) as node_key,
      greatest(node_key, linked_node_key) as linked_node_key
  from root_edges
{%- endmacro %}


{#-
  A node's component: its root in round 1, then that root's root in round 2 if it still had an edge, and
  so on. Composed from the last round back to the first, so each join works on that round's nodes only.
-#}
{% macro connected_components_final_sql(nodes, round_roots, rounds, is_converged, integer_ids=false) -%}
  with
  {% for roots in round_roots | reverse -%}
  {%- set round_number = round_roots | length - loop.index + 1 -%}
  round_{{ round_number }}_components as (
      select
          round_roots.node_key,
          {%- if loop.first %}
          round_roots.parent_key as component_key
      from {{ roots }} as round_roots
          {%- else %}
          coalesce(later_rounds.component_key, round_roots.parent_key) as component_key
      from {{ roots }} as round_roots
      left join round_{{ round_number + 1 }}_components as later_rounds
          on round_roots.parent_key = later_rounds.node_key
          {%- endif %}
  ),

  {% endfor -%}
  labels as (
      select
          nodes.node_id,
          coalesce(round_1_components.component_key, nodes.node_key) as component_key
      from {{ nodes }} as nodes
      left join round_1_components on nodes.node_key = round_1_components.node_key
  ){% if integer_ids %}

  select
      labels.node_id,
      labels.component_key as component_id,
      cast({{ rounds }} as {{ dbt.type_int() }}) as iterations,
      {{ 'true' if is_converged else 'false' }} as is_converged
  from labels
  {%- else %},

  {#- Components are far fewer than nodes: look their names up in a small table. -#}
  components as (
      select
          nodes.node_key as component_key,
          nodes.node_id as component_id
      from {{ nodes }} as nodes
      where nodes.node_key in (select labels.component_key from labels)
  )

  select
      {{ cdp.connected_components_default_collation('labels.node_id') }} as node_id,
      {{ cdp.connected_components_default_collation('components.component_id') }} as component_id,
      cast({{ rounds }} as {{ dbt.type_int() }}) as iterations,
      {{ 'true' if is_converged else 'false' }} as is_converged
  from labels
  inner join components on labels.component_key = components.component_key
  {%- endif %}
{%- endmacro %}


{#- The model must select exactly node_id and linked_node_id: say so before any work. -#}
{% macro connected_components_check_columns(sql) %}
  {%- if not execute -%}{{ return(none) }}{%- endif -%}
  {%- set columns = get_columns_in_query(sql) | map('lower') | list -%}
  {%- if columns | sort != ['linked_node_id', 'node_id'] -%}
    {{ exceptions.raise_compiler_error(
        "connected_components: model " ~ model.name ~ " must select exactly two columns, node_id and "
        ~ "linked_node_id (one row per edge); it selects: " ~ columns | join(', ')) }}
  {%- endif -%}
{% endmacro %}


{% macro connected_components_scalar(sql) %}
  {%- set result = run_query(sql) -%}
  {{ return(result.columns[0].values()[0] | int) }}
{% endmacro %}


{% macro connected_components_create_work_table(target_relation, name, sql) %}
  {%- set temporary = cdp.connected_components_work_tables_are_temporary() -%}
  {%- if temporary -%}
    {%- set relation = make_temp_relation(target_relation, '__cc_' ~ name) -%}
  {%- else -%}
    {%- set relation = make_intermediate_relation(target_relation, '__cc_' ~ name) -%}
  {%- endif -%}
  {%- call statement('connected_components_' ~ name) -%}
    {{ get_create_table_as_sql(temporary, relation, sql) }}
  {%- endcall -%}
  {%- do cdp.connected_components_analyze(relation) -%}
  {{ return(relation) }}
{% endmacro %}


{#- Real work tables survive a failed statement: drop what a failed run left (names are deterministic). -#}
{% macro connected_components_drop_leftovers(target_relation, max_iterations) %}
  {%- if cdp.connected_components_work_tables_are_temporary() -%}{{ return(none) }}{%- endif -%}
  {%- set names = ['input', 'nodes', 'e0'] -%}
  {%- for round_number in range(1, max_iterations + 1) -%}
    {%- do names.extend(['e' ~ round_number, 'r' ~ round_number]) -%}
    {%- do names.extend(['j' ~ round_number ~ 'a', 'j' ~ round_number ~ 'b']) -%}
  {%- endfor -%}
  {%- for name in names -%}
    {%- set leftover = load_cached_relation(make_intermediate_relation(target_relation, '__cc_' ~ name)) -%}
    {{ drop_relation_if_exists(leftover) }}
  {%- endfor -%}
{% endmacro %}


{#-
  Temporary tables where they are real tables that vanish with the session (and with a failed transaction);
  elsewhere (Spark: temporary views, re-evaluated at every use) real tables in the model's schema.
-#}
{% macro connected_components_work_tables_are_temporary() %}
  {{ return(adapter.dispatch('connected_components_work_tables_are_temporary', 'cdp')()) }}
{% endmacro %}

{% macro default__connected_components_work_tables_are_temporary() %}
  {{ return(false) }}
{% endmacro %}

{% macro duckdb__connected_components_work_tables_are_temporary() %}
  {{ return(true) }}
{% endmacro %}

{% macro postgres__connected_components_work_tables_are_temporary() %}
  {{ return(true) }}
{% endmacro %}


{#-
  PostgreSQL never analyzes temporary tables by itself (autovacuum skips them): without statistics the
  planner misjudges the joins of the next statement.
-#}
{% macro connected_components_analyze(relation) %}
  {{ return(adapter.dispatch('connected_components_analyze', 'cdp')(relation)) }}
{% endmacro %}

{% macro default__connected_components_analyze(relation) %}
{% endmacro %}

{% macro postgres__connected_components_analyze(relation) %}
  {%- call statement('connected_components_analyze') -%}
    analyze {{ relation }}
  {%- endcall -%}
{% endmacro %}


{#-
  "Smallest node_id" in binary order on every engine: the work tables use cdp.binary_order (collation "C" on
  PostgreSQL, whose text comparisons otherwise follow the database's collation); the output columns go back
  to the default collation, like any other text column.
-#}
{% macro connected_components_default_collation(expression) -%}
  {{ return(adapter.dispatch('connected_components_default_collation', 'cdp')(expression)) }}
{%- endmacro %}

{% macro default__connected_components_default_collation(expression) -%}
  {{ expression }}
{%- endmacro %}

{% macro postgres__connected_components_default_collation(expression) -%}
  {{ expression }} collate "default"
{%- endmacro %}
