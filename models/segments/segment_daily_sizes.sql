{#-
  Size of every segment at the end of every day from its first build to the latest (for BI): members,
  treatment (sent) and holdout, and how many entered and left that day, from segment_membership_periods. Days
  without a build carry the previous size. Sizes are running sums of daily entries minus exits, so the cost
  grows with changes, not with days x members.
-#}

with

periods as (
    select * from {{ ref('segment_membership_periods') }}
),

history as (
    select * from {{ ref('segment_membership_history') }}
),

bounds as (
    select
        cast(min(recorded_at) as date) as first_day,
        cast(max(recorded_at) as date) as last_day
    from history
),

digits as (
    {%- for digit in range(10) %}
        select {{ digit }} as digit
        {%- if not loop.last %}
            union all
        {%- endif %}
    {%- endfor %}
),

{# Up to 10,000 days (27 years) of history. #}
day_offsets as (
    select units.digit + 10 * tens.digit + 100 * hundreds.digit + 1000 * thousands.digit as day_offset
    from digits as units
    cross join digits as tens
    cross join digits as hundreds
    cross join digits as thousands
),

days as (
    select cast({{ dbt.dateadd('day', 'day_offsets.day_offset', 'bounds.first_day') }} as date) as size_date
    from day_offsets
    cross join bounds
    where day_offsets.day_offset <= {{ dbt.datediff('bounds.first_day', 'bounds.last_day', 'day') }}
),

segments as (
    select
        segment_name,
        max(channel) as channel
    from periods
    group by segment_name
),

changes as (
    select
        segment_name,
        cast(entered_at as date) as change_date,
        1 as entered_count,
        0 as exited_count,
        case when is_holdout then 0 else 1 end as treatment_change,
        case when is_holdout then 1 else 0 end as holdout_change
    from periods
    union all
    select
        segment_name,
        cast(exited_at as date) as change_date,
        0 as entered_count,
        1 as exited_count,
        case when is_holdout then 0 else -1 end as treatment_change,
        case when is_holdout then -1 else 0 end as holdout_change
    from periods
    where exited_at is not null
),

daily_changes as (
    select
        segment_name,
        change_date,
        sum(entered_count) as entered_count,
        sum(exited_count) as exited_count,
        sum(treatment_change) as treatment_change,
        sum(holdout_change) as holdout_change
    from changes
    group by segment_name, change_date
),

segment_days as (
    select
        days.size_date,
        segments.segment_name,
        segments.channel,
        coalesce(daily_changes.entered_count, 0) as entered_count,
        coalesce(daily_changes.exited_count, 0) as exited_count,
        coalesce(daily_changes.treatment_change, 0) as treatment_change,
        coalesce(daily_changes.holdout_change, 0) as holdout_change
    from days
    cross join segments
    left join daily_changes
        on
            segments.segment_name = daily_changes.segment_name
            and days.size_date = daily_changes.change_date
),

running as (
    select
        size_date,
        segment_name,
        channel,
        entered_count,
        exited_count,
        sum(treatment_change) over (
            partition by segment_name order by size_date rows between unbounded preceding and current row
        ) as treatment_count,
        sum(holdout_change) over (
            partition by segment_name order by size_date rows between unbounded preceding and current row
        ) as holdout_count
    from segment_days
),

final as (
    select
        size_date,
        segment_name,
        channel,
        cast(treatment_count + holdout_count as {{ dbt.type_bigint() }}) as member_count,
        cast(treatment_count as {{ dbt.type_bigint() }}) as treatment_count,
        cast(holdout_count as {{ dbt.type_bigint() }}) as holdout_count,
        cast(entered_count as {{ dbt.type_bigint() }}) as entered_count,
        cast(exited_count as {{ dbt.type_bigint() }}) as exited_count
    from running
)

select * from final
