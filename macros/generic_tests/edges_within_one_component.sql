{#-
  The honest check of a connected-components model, independent of how it was computed: every edge of the
  graph it was built from has both ends in the model, with the same component_id. Applied to the
  components model; the edges are given as a relation and its two node columns:

    data_tests:
      - cdp.edges_within_one_component:
          arguments:
            edges: ref('int_identity_edges')
            node_column: node_id              # defaults
            linked_node_column: linked_node_id

  A null end is not a node (an edge with one null end only declares its other end). Fails with one row per
  offending edge. It does not check that components are as small as possible: a label shared by two
  components would pass, which min-label propagation cannot produce.
-#}
{% test edges_within_one_component(model, edges, node_column='node_id', linked_node_column='linked_node_id') %}
  with

  graph_edges as (
      select
          {{ node_column }} as node_id,
          {{ linked_node_column }} as linked_node_id
      from {{ edges }}
      where {{ node_column }} is not null or {{ linked_node_column }} is not null
  ),

  components as (
      select
          node_id,
          component_id
      from {{ model }}
  ),

  checked as (
      select
          graph_edges.node_id,
          graph_edges.linked_node_id,
          node_components.component_id as node_component_id,
          linked_components.component_id as linked_node_component_id
      from graph_edges
      left join components as node_components
          on graph_edges.node_id = node_components.node_id
      left join components as linked_components
          on graph_edges.linked_node_id = linked_components.node_id
  )

  select *
  from checked
  where
      (node_id is not null and node_component_id is null)
      or (linked_node_id is not null and linked_node_component_id is null)
      or node_component_id <> linked_node_component_id
{% endtest %}
