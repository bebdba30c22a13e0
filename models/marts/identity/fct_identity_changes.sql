{#-
  What each run changed in customer ids, kept across runs (append-only, never rebuilt by --full-refresh):
  one row per (run, previous customer id, new customer id) with how many records moved.
  - merged_into: every record of the previous customer now has customer_id (two customers became one);
  - split_off: some records left the previous customer for customer_id (a wrong merge was undone, or new
    data separated two people); the previous customer keeps the rest.
  is_new_customer_id says whether customer_id was created by this run.
-#}

{{ config(materialized='incremental', full_refresh=false, on_schema_change='fail') }}

with

history as (
    select * from {{ ref('int_identity_customer_id_history') }}
),

customer_ids as (
    select * from {{ ref('int_identity_customer_ids') }}
),

this_run as (
    select * from history
    where invocation_id = {{ cdp.invocation_id_literal() }}
),

moves as (
    select
        invocation_id,
        assigned_at as changed_at,
        previous_customer_id,
        customer_id,
        count(*) as moved_record_count
    from this_run
    where previous_customer_id is not null
    group by invocation_id, assigned_at, previous_customer_id, customer_id
),

remaining as (
    select
        customer_id,
        count(*) as record_count
    from customer_ids
    group by customer_id
),

older_ids as (
    select distinct customer_id
    from history
    where invocation_id <> {{ cdp.invocation_id_literal() }}
),

final as (
    select
        moves.invocation_id,
        moves.changed_at,
        case when remaining.customer_id is null then 'merged_into' else 'split_off' end as change_type,
        moves.previous_customer_id,
        moves.customer_id,
        moves.moved_record_count,
        coalesce(remaining.record_count, 0) as previous_customer_remaining_record_count,
        older_ids.customer_id is null as is_new_customer_id
    from moves
    left join remaining
        on moves.previous_customer_id = remaining.customer_id
    left join older_ids
        on moves.customer_id = older_ids.customer_id
)

select * from final
