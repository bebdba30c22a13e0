{#-
  Why records belong to a customer: every link of the identity graph with the customer it sits in, both
  records' sources, and the rule and score behind it. Support agents and the web app read this to explain
  a merge ("the loyalty card was joined to the CRM contact by a probabilistic match on name, birth date
  and postcode, probability 0.998").

  The record keys of CRM contacts, shop accounts, loyalty cards and web visitors carry a personal identifier
  (the contact, account, card or cookie id): for an erased customer they are null, as in dim_customers, while
  the link itself (sources, rule, score) stays so graph statistics still add up.
-#}

with

edges as (
    select * from {{ ref('int_identity_edges') }}
),

customer_ids as (
    select * from {{ ref('int_identity_customer_ids') }}
),

erased_customers as (
    select * from {{ ref('int_customers_erased') }}
),

{# Sources whose record id is a personal identifier (dim_customers' identifier lists). #}
personal_record_sources as (
    select 'crm_contacts' as source_table
    union all
    select 'shop_customers' as source_table
    union all
    select 'loyalty_members' as source_table
    union all
    select 'web_anonymous_ids' as source_table
),

links as (
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
),

final as (
    select
        links.customer_id,
        case
            when erased_customers.customer_id is null or personal_sources.source_table is null
                then links.record_key
        end as record_key,
        links.source_table,
        case
            when erased_customers.customer_id is null or linked_personal_sources.source_table is null
                then links.linked_record_key
        end as linked_record_key,
        links.linked_source_table,
        links.edge_type,
        links.rule_name,
        links.match_weight,
        links.match_probability,
        links.competing_cluster_count
    from links
    left join erased_customers
        on links.customer_id = erased_customers.customer_id
    left join personal_record_sources as personal_sources
        on links.source_table = personal_sources.source_table
    left join personal_record_sources as linked_personal_sources
        on links.linked_source_table = linked_personal_sources.source_table
)

select * from final
