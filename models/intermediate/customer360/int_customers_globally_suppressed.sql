{#-
  The global suppression list (seed global_suppression_list, or var cdp_global_suppression_relation) resolved
  to customers: one row per customer matched by at least one entry. An entry names one identifier and matches
  every customer who has it on any of their records (the identity graph, int_identifiers_unioned), so a listed
  e-mail suppresses the person however many profiles they have. E-mails are compared in their matching form and
  phones in E.164, the forms identity resolution stores; an e-mail domain matches every address at it.
  Entries with reason internal_account mark internal and test accounts (dim_customers.is_test_account: the KPI
  marts leave them out); every other reason suppresses. Segments read it as segment_global_suppressions.
-#}

with

suppression_list as (
    select * from {{ cdp.global_suppression_relation() }}
),

identifiers as (
    select * from {{ ref('int_identifiers_unioned') }}
),

identity_customer_ids as (
    select * from {{ ref('int_identity_customer_ids') }}
),

customers as (
    select * from {{ ref('int_customers_golden') }}
),

entries as (
    select
        lower(trim(identifier_type)) as identifier_type,
        case lower(trim(identifier_type))
            when 'email' then {{ cdp.email_match_key('identifier_value') }}
            when 'email_domain' then lower(trim(identifier_value))
            when 'phone' then {{ cdp.standardize_phone('identifier_value') }}
            else trim(identifier_value)
        end as match_value,
        lower(trim(reason)) as reason
    from suppression_list
    where identifier_value is not null
),

customer_identifiers as (
    select
        identity_customer_ids.customer_id,
        identifiers.identifier_type,
        identifiers.identifier_value,
        case
            when identifiers.identifier_type = 'email'
                then {{ dbt.split_part('identifiers.identifier_value', "'@'", 2) }}
        end as email_domain
    from identifiers
    inner join identity_customer_ids
        on identifiers.record_key = identity_customer_ids.record_key
),

identifier_matches as (
    select
        customer_identifiers.customer_id,
        entries.reason
    from entries
    inner join customer_identifiers
        on
            entries.identifier_type = customer_identifiers.identifier_type
            and entries.match_value = customer_identifiers.identifier_value
),

domain_matches as (
    select
        customer_identifiers.customer_id,
        entries.reason
    from entries
    inner join customer_identifiers
        on entries.match_value = customer_identifiers.email_domain
    where entries.identifier_type = 'email_domain'
),

customer_id_matches as (
    select
        customers.customer_id,
        entries.reason
    from entries
    inner join customers
        on entries.match_value = customers.customer_id
    where entries.identifier_type = 'customer_id'
),

matches as (
    select * from identifier_matches
    union all
    select * from domain_matches
    union all
    select * from customer_id_matches
),

reasons as (
    select distinct
        customer_id,
        reason
    from matches
),

final as (
    select
        customer_id,
        max(case when reason = 'internal_account' then 1 else 0 end) = 1 as is_internal_account,
        max(case when reason <> 'internal_account' then 1 else 0 end) = 1 as is_suppressed,
        {{ cdp.listagg_sorted('reason', "','") }} as suppression_reasons
    from reasons
    group by customer_id
)

select * from final
