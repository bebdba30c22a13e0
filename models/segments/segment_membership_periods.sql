{#-
  One row per period a customer spent in a segment, from segment_membership_history: when they entered and,
  if they have left, when they left (exited_at null: still a member). A customer who leaves and comes back has
  two periods. Times are the runs that saw the change (UTC); the *_as_of_date columns give the Customer 360
  as-of date of those runs, the data's own time.
-#}

with

history as (
    select * from {{ ref('segment_membership_history') }}
),

entries as (
    select * from history
    where change_type = 'entered'
),

exits as (
    select * from history
    where change_type = 'exited'
),

final as (
    select
        {{ cdp.surrogate_key(['entries.segment_name', 'entries.customer_id', 'entries.entered_at']) }}
            as membership_period_id,
        entries.segment_name,
        entries.customer_id,
        entries.channel,
        entries.is_holdout,
        entries.entered_at,
        entries.entered_as_of_date,
        exits.exited_at,
        exits.exited_as_of_date,
        exits.exited_at is null as is_current
    from entries
    left join exits
        on
            entries.segment_name = exits.segment_name
            and entries.customer_id = exits.customer_id
            and entries.entered_at = exits.entered_at
)

select * from final
