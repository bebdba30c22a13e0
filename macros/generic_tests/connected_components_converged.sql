{#-
  On a model materialized as connected_components: fails (one row per node) when the labelling stopped at
  max_iterations before converging. The materialization writes the table anyway, so this test is what
  stops the build; raise max_iterations on the model if it fails.
-#}
{% test connected_components_converged(model) %}
  select
      node_id,
      component_id,
      iterations
  from {{ model }}
  where not is_converged
{% endtest %}
