{#-
  Incrementality of every segment: conversion and revenue of the members who were sent (treatment) against the
  holdout (control), after they entered the segment. One row per segment.

  Each member counts once, from their first entry (segment_membership_periods), in the group they were given
  then. A conversion is a purchase (fct_orders.is_purchase) on one of the var cdp_segment_conversion_window_days
  days (default 30) after the Customer 360 as-of date of the entry: the data's own time, so a backfilled or
  static data set measures what happened after the audience was built. Members whose window is still running
  count with what has happened so far, in both groups alike. The uplift is treatment minus control; the
  z-score (two-proportion test, pooled) says whether the conversion difference is more than chance (|z| > 1.96:
  95 %).
-#}

{%- set window_days = cdp.segment_conversion_window_days() %}

with

periods as (
    select * from {{ ref('segment_membership_periods') }}
),

orders as (
    select * from {{ ref('fct_orders') }}
),

first_entries_ranked as (
    select
        segment_name,
        customer_id,
        is_holdout,
        entered_as_of_date,
        row_number() over (partition by segment_name, customer_id order by entered_at asc) as entry_rank
    from periods
),

first_entries as (
    select * from first_entries_ranked
    where entry_rank = 1
),

purchases as (
    select
        customer_id,
        order_date,
        coalesce(recognised_revenue_reporting, 0) as revenue
    from orders
    where is_purchase and customer_id is not null
),

member_outcomes as (
    select
        first_entries.segment_name,
        first_entries.customer_id,
        first_entries.is_holdout,
        count(purchases.customer_id) as purchase_count,
        coalesce(sum(purchases.revenue), 0) as revenue
    from first_entries
    left join purchases
        on
            first_entries.customer_id = purchases.customer_id
            and first_entries.entered_as_of_date < purchases.order_date
            and cast({{ dbt.dateadd('day', window_days, 'first_entries.entered_as_of_date') }} as date)
            >= purchases.order_date
    group by first_entries.segment_name, first_entries.customer_id, first_entries.is_holdout
),

group_results as (
    select
        segment_name,
        is_holdout,
        count(*) as member_count,
        sum(case when purchase_count > 0 then 1 else 0 end) as converted_count,
        sum(purchase_count) as purchase_count,
        sum(revenue) as revenue
    from member_outcomes
    group by segment_name, is_holdout
),

segments as (
    select distinct segment_name from first_entries
),

groups_side_by_side as (
    select
        segments.segment_name,
        coalesce(treatment.member_count, 0) as treatment_member_count,
        coalesce(treatment.converted_count, 0) as treatment_converted_count,
        coalesce(treatment.revenue, 0) as treatment_revenue,
        coalesce(control.member_count, 0) as control_member_count,
        coalesce(control.converted_count, 0) as control_converted_count,
        coalesce(control.revenue, 0) as control_revenue,
        cast(treatment.converted_count as {{ dbt.type_numeric() }}) / nullif(treatment.member_count, 0)
            as treatment_conversion_rate,
        cast(control.converted_count as {{ dbt.type_numeric() }}) / nullif(control.member_count, 0)
            as control_conversion_rate,
        cast(treatment.revenue as {{ dbt.type_numeric() }}) / nullif(treatment.member_count, 0)
            as treatment_revenue_per_member,
        cast(control.revenue as {{ dbt.type_numeric() }}) / nullif(control.member_count, 0)
            as control_revenue_per_member,
        cast(coalesce(treatment.converted_count, 0) + coalesce(control.converted_count, 0) as {{ dbt.type_numeric() }})
        / nullif(coalesce(treatment.member_count, 0) + coalesce(control.member_count, 0), 0) as pooled_conversion_rate
    from segments
    left join group_results as treatment
        on segments.segment_name = treatment.segment_name and not treatment.is_holdout
    left join group_results as control
        on segments.segment_name = control.segment_name and control.is_holdout
),

final as (
    select
        segment_name,
        {{ window_days }} as conversion_window_days,
        cast(treatment_member_count as {{ dbt.type_bigint() }}) as treatment_member_count,
        cast(control_member_count as {{ dbt.type_bigint() }}) as control_member_count,
        cast(treatment_converted_count as {{ dbt.type_bigint() }}) as treatment_converted_count,
        cast(control_converted_count as {{ dbt.type_bigint() }}) as control_converted_count,
        cast(treatment_conversion_rate as decimal(9, 6)) as treatment_conversion_rate,
        cast(control_conversion_rate as decimal(9, 6)) as control_conversion_rate,
        cast(treatment_conversion_rate - control_conversion_rate as decimal(9, 6)) as conversion_uplift,
        cast(
            (treatment_conversion_rate - control_conversion_rate) / nullif(control_conversion_rate, 0)
            as decimal(12, 6)
        ) as relative_conversion_uplift,
        cast(
            (treatment_conversion_rate - control_conversion_rate) / nullif(sqrt(
                pooled_conversion_rate * (1 - pooled_conversion_rate)
                * (1.0 / nullif(treatment_member_count, 0) + 1.0 / nullif(control_member_count, 0))
            ), 0)
            as decimal(12, 4)
        ) as conversion_uplift_z_score,
        cast(treatment_revenue as {{ cdp.type_money() }}) as treatment_revenue,
        cast(control_revenue as {{ cdp.type_money() }}) as control_revenue,
        cast(treatment_revenue_per_member as {{ cdp.type_money() }}) as treatment_revenue_per_member,
        cast(control_revenue_per_member as {{ cdp.type_money() }}) as control_revenue_per_member,
        cast(
            (treatment_revenue_per_member - control_revenue_per_member) * treatment_member_count
            as {{ cdp.type_money() }}
        ) as incremental_revenue
    from groups_side_by_side
)

select * from final
