{#-
  Customers who asked to be forgotten (RGPD article 17): every erasure request attached to its customer by
  identity resolution, so a request made with an e-mail erases the person behind every record that e-mail
  links (CRM contact, shop account, loyalty card, orders, web visits). One row per erased customer. The marts
  hide these customers' personal data and dim_customers flags them (is_erased) for activation and segments.
-#}

with

erasure_requests as (
    select * from {{ ref('stg_privacy__erasure_requests') }}
),

customer_ids as (
    select * from {{ ref('int_identity_customer_ids') }}
),

requests_attributed as (
    select
        customer_ids.customer_id,
        erasure_requests.request_id,
        erasure_requests.requested_at
    from erasure_requests
    inner join customer_ids
        on {{ cdp.record_key('privacy_erasure_requests', 'erasure_requests.request_id') }} = customer_ids.record_key
),

final as (
    select
        customer_id,
        true as is_erased,
        min(requested_at) as first_erasure_requested_at,
        max(requested_at) as last_erasure_requested_at,
        count(*) as erasure_request_count
    from requests_attributed
    group by customer_id
)

select * from final
