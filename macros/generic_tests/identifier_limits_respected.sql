{#-
  Fails with the clusters of `model` (node_id, component_id) whose records carry more distinct linking values
  of an identifier type than its max_values_per_customer allows.
-#}
{% test identifier_limits_respected(model, identifiers, guarded_values, identifier_types) %}
  select
      clusters.component_id,
      identifiers.identifier_type,
      count(distinct identifiers.identifier_value) as value_count,
      max(identifier_types.max_values_per_customer) as max_values_per_customer
  from {{ model }} as clusters
  inner join {{ identifiers }} as identifiers
      on clusters.node_id = identifiers.record_key
  inner join {{ guarded_values }} as guarded_values
      on
          identifiers.identifier_type = guarded_values.identifier_type
          and identifiers.identifier_value = guarded_values.identifier_value
  inner join {{ identifier_types }} as identifier_types
      on identifiers.identifier_type = identifier_types.identifier_type
  where guarded_values.guard_decision = 'link' and identifier_types.max_values_per_customer is not null
  group by clusters.component_id, identifiers.identifier_type
  having count(distinct identifiers.identifier_value) > max(identifier_types.max_values_per_customer)
{% endtest %}
