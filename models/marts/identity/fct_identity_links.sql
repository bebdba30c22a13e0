{#-
  Why records belong to a customer: every link of the identity graph with the customer it sits in, both
  records' sources, and the rule and score behind it. Support agents and the web app read this to explain
  a merge ("the loyalty card was joined to the CRM contact by a probabilistic match on name, birth date
  and postcode, probability 0.998").
-#}

with

edges as (
    select * from {{ ref('int_identity_edges') }}
),

customer_ids as (
    select * from {{ ref('int_identity_customer_ids') }}
),

final as (
    select
        customer_ids.customer_id,
        edges.record_key,
        customer_ids.source_table,
        edges.linked_record_key,
        linked_customer_ids.source_table as linked_source_table,
        edges.edge_type,
        edges.rule_name,
        edges.match_weight,
        edges.match_probability,
        edges.competing_cluster_count
    from edges
    inner join customer_ids
        on edges.record_key = customer_ids.record_key
    inner join customer_ids as linked_customer_ids
        on edges.linked_record_key = linked_customer_ids.record_key
    where edges.record_key <> edges.linked_record_key
)

select * from final
