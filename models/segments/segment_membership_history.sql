{#-
  Who entered and left each segment, kept across runs (append-only; never rebuilt by --full-refresh, like
  int_identity_customer_id_history): each run compares segment_members with the memberships still open and
  appends one row per change.
  - entered: the customer is a member now and had no open membership (first time, or back after leaving);
    entered_at is this run's start, exited_at null.
  - exited: the customer had an open membership and is not a member any more (conditions no longer met,
    suppressed, erased, the segment deleted); the row repeats the membership's entered_at and sets exited_at.
  A membership (period) is therefore identified by (segment_name, customer_id, entered_at); its latest row says
  whether it is still open (segment_membership_periods gives one row per period). Appending only, with no MERGE,
  keeps this incremental on every engine (Spark tables here have no row updates).
-#}

{{ config(materialized='incremental', full_refresh=false, on_schema_change='fail') }}

with

members as (
    select * from {{ ref('segment_members') }}
),

reference_date as (
    select * from {{ ref('segment_reference_date') }}
),

previous_changes as (
    {%- if is_incremental() %}
        select * from {{ this }}
    {%- else %}
        select
            cast(null as {{ dbt.type_string() }}) as segment_name,
            cast(null as {{ dbt.type_string() }}) as customer_id,
            cast(null as {{ dbt.type_string() }}) as channel,
            cast(null as boolean) as is_holdout,
            cast(null as {{ dbt.type_timestamp() }}) as entered_at,
            cast(null as date) as entered_as_of_date,
            cast(null as {{ dbt.type_timestamp() }}) as exited_at
        where 1 = 0
    {%- endif %}
),

changes_ranked as (
    select
        segment_name,
        customer_id,
        channel,
        is_holdout,
        entered_at,
        entered_as_of_date,
        exited_at,
        row_number() over (
            partition by segment_name, customer_id
            order by coalesce(exited_at, entered_at) desc
        ) as recency_rank
    from previous_changes
),

open_memberships as (
    select * from changes_ranked
    where recency_rank = 1 and exited_at is null
),

entries as (
    select
        members.segment_name,
        members.customer_id,
        members.channel,
        members.is_holdout,
        {{ cdp.run_started_at_timestamp() }} as entered_at,
        members.as_of_date as entered_as_of_date,
        cast(null as {{ dbt.type_timestamp() }}) as exited_at,
        cast(null as date) as exited_as_of_date
    from members
    left join open_memberships
        on
            members.segment_name = open_memberships.segment_name
            and members.customer_id = open_memberships.customer_id
    where open_memberships.customer_id is null
),

exits as (
    select
        open_memberships.segment_name,
        open_memberships.customer_id,
        open_memberships.channel,
        open_memberships.is_holdout,
        open_memberships.entered_at,
        open_memberships.entered_as_of_date,
        {{ cdp.run_started_at_timestamp() }} as exited_at,
        reference_date.as_of_date as exited_as_of_date
    from open_memberships
    cross join reference_date
    left join members
        on
            open_memberships.segment_name = members.segment_name
            and open_memberships.customer_id = members.customer_id
    where members.customer_id is null
),

changes as (
    select
        'entered' as change_type,
        entries.segment_name,
        entries.customer_id,
        entries.channel,
        entries.is_holdout,
        entries.entered_at,
        entries.entered_as_of_date,
        entries.exited_at,
        entries.exited_as_of_date
    from entries
    union all
    select
        'exited' as change_type,
        exits.segment_name,
        exits.customer_id,
        exits.channel,
        exits.is_holdout,
        exits.entered_at,
        exits.entered_as_of_date,
        exits.exited_at,
        exits.exited_as_of_date
    from exits
),

final as (
    select
        cast(segment_name as {{ dbt.type_string() }}) as segment_name,
        cast(customer_id as {{ dbt.type_string() }}) as customer_id,
        cast(channel as {{ dbt.type_string() }}) as channel,
        cast(is_holdout as boolean) as is_holdout,
        cast(entered_at as {{ dbt.type_timestamp() }}) as entered_at,
        cast(entered_as_of_date as date) as entered_as_of_date,
        cast(exited_at as {{ dbt.type_timestamp() }}) as exited_at,
        cast(exited_as_of_date as date) as exited_as_of_date,
        cast(change_type as {{ dbt.type_string() }}) as change_type,
        {{ cdp.run_started_at_timestamp() }} as recorded_at,
        cast({{ cdp.invocation_id_literal() }} as {{ dbt.type_string() }}) as invocation_id
    from changes
)

select * from final
