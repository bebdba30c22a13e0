{#-
  Current consent of every customer on every channel (email, sms, phone, ads_personalisation; the list is
  cdp.consent_channels()): one row per customer and channel. The decisions of all the customer's records
  compete (a grant given in store on the loyalty card, a withdrawal later from the newsletter's e-mail) and
  the most recent one wins; at the same instant a withdrawal wins over a grant (the cautious reading), then the
  larger decision id. Consent is never computed as of cdp_as_of_date: a withdrawal must be honoured whenever it
  was recorded.

  has_consent: the channel may be used. A channel without any decision takes the default of var
  cdp_consent_granted_when_unknown (RGPD: explicit opt-in, so false); an erased customer has no consent at all.
-#}

with

customers as (
    select * from {{ ref('int_customers_golden') }}
),

consent_events as (
    select * from {{ ref('int_consent_events_attributed') }}
),

erased_customers as (
    select * from {{ ref('int_customers_erased') }}
),

channels as (
    {%- for channel in cdp.consent_channels() %}
        select '{{ channel }}' as channel
        {%- if not loop.last %}
            union all
        {%- endif %}
    {%- endfor %}
),

customer_channels as (
    select
        customers.customer_id,
        channels.channel
    from customers
    cross join channels
),

decisions_ranked as (
    select
        customer_id,
        channel,
        status,
        occurred_at,
        collected_via,
        consent_event_id,
        row_number() over (
            partition by customer_id, channel
            order by
                occurred_at desc,
                case when status = 'withdrawn' then 0 else 1 end asc,
                {{ cdp.binary_order('consent_event_id') }} desc
        ) as recency_rank,
        count(*) over (partition by customer_id, channel) as decision_count
    from consent_events
    where customer_id is not null and is_valid_decision
),

latest_decisions as (
    select * from decisions_ranked
    where recency_rank = 1
),

final as (
    select
        customer_channels.customer_id,
        customer_channels.channel,
        coalesce(latest_decisions.status, 'unknown') as consent_status,
        case
            when erased_customers.customer_id is not null then false
            when latest_decisions.status is null then {{ cdp.consent_granted_when_unknown() }}
            else latest_decisions.status = 'granted'
        end as has_consent,
        latest_decisions.status is null as is_default_applied,
        latest_decisions.occurred_at as decided_at,
        latest_decisions.collected_via as decision_collected_via,
        latest_decisions.consent_event_id as decision_consent_event_id,
        cast(coalesce(latest_decisions.decision_count, 0) as {{ dbt.type_bigint() }}) as decision_count,
        erased_customers.customer_id is not null as is_erased
    from customer_channels
    left join latest_decisions
        on
            customer_channels.customer_id = latest_decisions.customer_id
            and customer_channels.channel = latest_decisions.channel
    left join erased_customers
        on customer_channels.customer_id = erased_customers.customer_id
)

select * from final
