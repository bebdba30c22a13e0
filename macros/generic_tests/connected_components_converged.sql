{#- Fails with the rows of a connected_components model whose labels did not settle within max_iterations. -#}
{% test connected_components_converged(model) %}
  select * from {{ model }}
  where not is_converged
{% endtest %}
