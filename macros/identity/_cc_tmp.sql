{% materialization connected_components_tmp, default %}
  {%- set target_relation = this.incorporate(type='table') -%}
  {%- set existing = load_cached_relation(this) -%}
  {%- set max_iterations = config.get('max_iterations', 40) -%}
  {%- set edges = make_temp_relation(this, '__cc_edges') -%}
  {%- set labels = make_temp_relation(this, '__cc_labels') -%}
  {%- set next_labels = make_temp_relation(this, '__cc_next') -%}
  {%- for rel in [edges, labels, next_labels] %}{% do adapter.drop_relation(rel.incorporate(type='table')) %}{% endfor -%}
  {% call statement('edges') -%}
    {{ get_create_table_as_sql(False, edges, "select distinct node_id, linked_node_id from (select node_id, linked_node_id from (" ~ sql ~ ") as e union all select linked_node_id, node_id from (" ~ sql ~ ") as e2) as u") }}
  {%- endcall %}
  {% call statement('labels0') -%}
    {{ get_create_table_as_sql(False, labels, "select node_id, min(linked_node_id) as component_id from " ~ edges ~ " group by node_id") }}
  {%- endcall %}
  {%- set ns = namespace(done=false, iterations=0) -%}
  {%- for i in range(max_iterations) -%}
    {%- if not ns.done -%}
      {% call statement('next') -%}
        {{ get_create_table_as_sql(False, next_labels, "select l.node_id, least(min(n.component_id), min(j.component_id)) as component_id from " ~ labels ~ " l inner join " ~ edges ~ " e on e.node_id = l.node_id inner join " ~ labels ~ " n on n.node_id = e.linked_node_id inner join " ~ labels ~ " j on j.node_id = l.component_id group by l.node_id") }}
      {%- endcall %}
      {%- set changed = run_query("select count(*) from " ~ labels ~ " l inner join " ~ next_labels ~ " n on n.node_id = l.node_id where n.component_id <> l.component_id").columns[0].values()[0] -%}
      {% do adapter.drop_relation(labels.incorporate(type='table')) %}
      {% call statement('swap') -%}
        {{ get_create_table_as_sql(False, labels, "select * from " ~ next_labels) }}
      {%- endcall %}
      {% do adapter.drop_relation(next_labels.incorporate(type='table')) %}
      {%- set ns.iterations = ns.iterations + 1 -%}
      {%- if changed == 0 %}{% set ns.done = true %}{% endif -%}
    {%- endif -%}
  {%- endfor -%}
  {%- if existing is not none %}{% do adapter.drop_relation(existing) %}{% endif -%}
  {% call statement('main') -%}
    {{ get_create_table_as_sql(False, target_relation, "select node_id, component_id, " ~ ns.iterations ~ " as iterations, " ~ ('true' if ns.done else 'false') ~ " as is_converged from " ~ labels) }}
  {%- endcall %}
  {% do adapter.drop_relation(labels.incorporate(type='table')) %}
  {% do adapter.drop_relation(edges.incorporate(type='table')) %}
  {{ adapter.commit() }}
  {{ return({'relations': [target_relation]}) }}
{% endmaterialization %}

{% test connected_components_converged(model) %}
  select * from {{ model }} where not is_converged
{% endtest %}
