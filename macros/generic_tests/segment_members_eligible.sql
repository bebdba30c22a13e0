{#-
  Fails with every member of a segment model who must not be there: unknown to the Customer 360, erased,
  without consent for the segment's channel (both read from the Customer 360 itself, not from the segment
  layer's own flags), an internal or test account, on the global suppression list, or an existing customer of
  a segment that excludes them (from segment_suppressions).
-#}
{% test segment_members_eligible(model, customers, suppressions, erased_column, consent_column, exclude_existing_customers=false) %}
  select
      members.customer_id,
      customers.customer_id is null as is_unknown_customer,
      customers.{{ erased_column }} as is_erased,
      customers.{{ consent_column }} as has_channel_consent,
      suppressions.is_internal_account,
      suppressions.is_globally_suppressed,
      suppressions.is_existing_customer
  from {{ model }} as members
  left join {{ customers }} as customers
      on members.customer_id = customers.customer_id
  left join {{ suppressions }} as suppressions
      on members.customer_id = suppressions.customer_id
  where
      customers.customer_id is null
      or suppressions.customer_id is null
      or coalesce(customers.{{ erased_column }}, true)
      or not coalesce(customers.{{ consent_column }}, false)
      or suppressions.is_internal_account
      or suppressions.is_globally_suppressed
      {%- if exclude_existing_customers %}
      or suppressions.is_existing_customer
      {%- endif %}
{% endtest %}
