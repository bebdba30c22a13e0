{#-
  The dates the predictive traits are computed as of. Snapshot 0 ('scoring') is the as-of date: every
  prediction describes the customer on that day. The lead-score model learns from the past: snapshots 1
  ('validation') and 2 ('training') are one and two lead horizons earlier, so that what happened in the
  horizon after each of them is already known on the as-of date.
-#}

{%- set as_of_date = var('cdp_predictions_as_of_date') -%}
{%- set lead_horizon_days = var('cdp_predictions_lead_horizon_days') | int -%}
{%- if as_of_date is not none and not modules.re.match('^[0-9]{4}-[0-9]{2}-[0-9]{2}$', as_of_date | string) -%}
  {{ exceptions.raise_compiler_error("cdp_predictions_as_of_date must be a date written YYYY-MM-DD (or null), got " ~ as_of_date) }}
{%- endif -%}
{%- if lead_horizon_days < 1 -%}
  {{ exceptions.raise_compiler_error("cdp_predictions_lead_horizon_days must be a positive number of days") }}
{%- endif -%}

with

orders as (
    select * from {{ ref('fct_orders') }}
),

as_of as (
    {% if as_of_date is none -%}
        select max(order_date) as as_of_date
        from orders
        where customer_id is not null and not is_cancelled
    {%- else -%}
        select cast('{{ as_of_date }}' as date) as as_of_date
    {%- endif %}
),

snapshots as (
    {% for role in ['scoring', 'validation', 'training'] -%}
        select
            {{ loop.index0 }} as snapshot_index,
            '{{ role }}' as snapshot_role,
            cast({{ dbt.dateadd('day', -loop.index0 * lead_horizon_days, 'as_of_date') }} as date) as snapshot_date
        from as_of
        {% if not loop.last %}union all{% endif %}
    {% endfor %}
),

final as (
    select
        snapshot_index,
        snapshot_role,
        snapshot_date,
        case
            when snapshot_index > 0
                then cast({{ dbt.dateadd('day', lead_horizon_days, 'snapshot_date') }} as date)
        end as outcome_end_date
    from snapshots
    where snapshot_date is not null
)

select * from final
