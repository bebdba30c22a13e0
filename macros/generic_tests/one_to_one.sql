{#-
  Fails when a value of `column_name` maps to several values of `other_column` or the other way round
  (e.g. one customer id per cluster and one cluster per customer id).
-#}
{% test one_to_one(model, column_name, other_column) %}
  with

  pairs as (
      select distinct {{ column_name }} as left_value, {{ other_column }} as right_value
      from {{ model }}
  ),

  left_fanout as (
      select left_value as value, 'has several {{ other_column }}' as problem
      from pairs
      group by left_value
      having count(*) > 1
  ),

  right_fanout as (
      select right_value as value, 'has several {{ column_name }}' as problem
      from pairs
      group by right_value
      having count(*) > 1
  )

  select * from left_fanout
  union all
  select * from right_fanout
{% endtest %}
