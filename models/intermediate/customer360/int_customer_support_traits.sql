{#-
  Support traits of every customer with a ticket created by the as-of date (int_customer360_as_of): tickets,
  tickets still open, first and last contact (ticket creation), average satisfaction score (1-5, over rated
  tickets). One row per customer with at least one ticket.
-#}

with

tickets as (
    select * from {{ ref('int_support_tickets_attributed') }}
),

as_of as (
    select * from {{ ref('int_customer360_as_of') }}
),

tickets_until_as_of as (
    select tickets.*
    from tickets
    cross join as_of
    where tickets.customer_id is not null and tickets.created_date <= as_of.as_of_date
),

final as (
    select
        customer_id,
        cast(count(*) as {{ dbt.type_bigint() }}) as ticket_count,
        cast(sum(case when is_open then 1 else 0 end) as {{ dbt.type_bigint() }}) as open_ticket_count,
        min(created_at) as first_contact_at,
        max(created_at) as last_contact_at,
        cast(avg(satisfaction_score) as decimal(4, 2)) as average_satisfaction_score
    from tickets_until_as_of
    group by customer_id
)

select * from final
