{#-
  Every support ticket with its customer (int_support_tickets_attributed). The requester's e-mail, phone and
  name stay out of this mart (dim_customers holds the customer's contact details); the free-text subject can
  name the person, so it is null for erased customers.
-#}

with

tickets as (
    select * from {{ ref('int_support_tickets_attributed') }}
),

erased_customers as (
    select * from {{ ref('int_customers_erased') }}
),

final as (
    select
        tickets.ticket_id,
        tickets.customer_id,
        tickets.channel,
        tickets.status,
        tickets.priority,
        tickets.is_open,
        tickets.satisfaction_score,
        tickets.created_at,
        tickets.created_date,
        tickets.solved_at,
        tickets.resolution_seconds,
        case when erased_customers.customer_id is null then tickets.subject end as subject
    from tickets
    left join erased_customers
        on tickets.customer_id = erased_customers.customer_id
)

select * from final
