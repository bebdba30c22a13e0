{#-
  The dates the predictive traits are computed as of. Snapshot 0 ('scoring') is the as-of date: every
  prediction describes the customer on that day. The lead-score model learns from the past: snapshots 1
  ('validation') and 2 ('training') are one and two lead horizons earlier, so that what happened in the
  horizon after each of them is already known on the as-of date. The as-of date is the var
  cdp_predictions_as_of_date, else the latest date a customer ordered.
-#}

{%- set settings = cdp.prediction_settings() -%}

with

orders as (
    select * from {{ ref('fct_orders') }}
),

as_of as (
    select
        max(
            {%- if settings.as_of_date is none %}
                order_date
            {%- else %}
                cast('{{ settings.as_of_date }}' as date)
            {%- endif %}
        ) as as_of_date
    from orders
    where customer_id is not null and not is_cancelled
),

snapshots as (
    {%- for role in ['scoring', 'validation', 'training'] %}
        select
            {{ loop.index0 }} as snapshot_index,
            '{{ role }}' as snapshot_role,
            cast(
                {{ dbt.dateadd('day', -loop.index0 * settings.lead_horizon_days, 'as_of_date') }} as date
            ) as snapshot_date
        from as_of
        {%- if not loop.last %}
            union all
        {%- endif %}
    {%- endfor %}
),

final as (
    select
        snapshot_index,
        snapshot_role,
        snapshot_date,
        case
            when snapshot_index > 0
                then cast({{ dbt.dateadd('day', settings.lead_horizon_days, 'snapshot_date') }} as date)
        end as outcome_end_date
    from snapshots
    where snapshot_date is not null
)

select * from final
