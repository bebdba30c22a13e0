{#-
  Every identifier known for each customer, per type: how many distinct values and the sorted list of them, in
  the identity layer's standardised form (e-mails in matching form, phones in E.164). Junk values the identity
  layer blocks (placeholder e-mails and phones) are left out. Types are the linking identifier types of the
  seed identity_identifier_types; fixed here because they are columns of dim_customers' contract. One row per
  customer with at least one identifier.
-#}

{%- set identifier_columns = {
    'email': 'emails',
    'phone': 'phones',
    'crm_contact_id': 'crm_contact_ids',
    'shop_customer_id': 'shop_customer_ids',
    'loyalty_card_id': 'loyalty_card_ids',
    'web_anonymous_id': 'web_anonymous_ids',
} %}

with

identifiers as (
    select * from {{ ref('int_identifiers_unioned') }}
),

guarded_values as (
    select * from {{ ref('int_identifier_values_guarded') }}
),

customer_ids as (
    select * from {{ ref('int_identity_customer_ids') }}
),

customer_identifiers as (
    select distinct
        customer_ids.customer_id,
        identifiers.identifier_type,
        identifiers.identifier_value
    from identifiers
    inner join customer_ids
        on identifiers.record_key = customer_ids.record_key
    left join guarded_values
        on
            identifiers.identifier_type = guarded_values.identifier_type
            and identifiers.identifier_value = guarded_values.identifier_value
    where
        identifiers.identifier_type in (
            {%- for identifier_type in identifier_columns %}
                '{{ identifier_type }}'{{ ',' if not loop.last }}
            {%- endfor %}
        )
        and coalesce(guarded_values.guard_decision, '') != 'blocked_value'
),

final as (
    select
        customer_id,
        {%- for identifier_type, list_column in identifier_columns.items() %}
            cast(
                count(case when identifier_type = '{{ identifier_type }}' then identifier_value end)
                as {{ dbt.type_bigint() }}
            ) as {{ identifier_type }}_count,
            {#- Spark's collect_list of nothing joins to '': no value is null on every engine. #}
            {%- set of_type = "case when identifier_type = '" ~ identifier_type ~ "' then identifier_value end" -%}
            nullif({{ cdp.listagg_sorted(of_type, "','") }}, '') as {{ list_column }},
        {%- endfor %}
        cast(count(*) as {{ dbt.type_bigint() }}) as identifier_count
    from customer_identifiers
    group by customer_id
)

select * from final
