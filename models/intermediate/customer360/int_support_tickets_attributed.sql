{#-
  Every support ticket with its customer (identity resolution of 'support_tickets:<ticket_id>', through the
  requester's e-mail or phone). A ticket is open until it is solved or closed.
-#}

with

support_tickets as (
    select * from {{ ref('stg_support__tickets') }}
),

customer_ids as (
    select * from {{ ref('int_identity_customer_ids') }}
),

final as (
    select
        support_tickets.ticket_id,
        customer_ids.customer_id,
        support_tickets.subject,
        support_tickets.channel,
        support_tickets.status,
        support_tickets.priority,
        coalesce(support_tickets.status, '') not in ('solved', 'closed') as is_open,
        support_tickets.satisfaction_score,
        support_tickets.created_at,
        cast(support_tickets.created_at as date) as created_date,
        support_tickets.solved_at,
        cast(
            {{ dbt.datediff('support_tickets.created_at', 'support_tickets.solved_at', 'second') }}
            as {{ dbt.type_bigint() }}
        ) as resolution_seconds
    from support_tickets
    left join customer_ids
        on {{ cdp.record_key('support_tickets', 'support_tickets.ticket_id') }} = customer_ids.record_key
)

select * from final
