with

source as (
    {{ cdp.select_source_columns('consent', 'events') }}
),

final as (
    select
        {{ cdp.clean_text('consent_event_id') }} as consent_event_id,
        {{ cdp.subject_identifier_columns('subject_type', 'subject_value') }},
        channel as channel_raw,
        {{ cdp.standardize_consent_channel('channel') }} as channel,
        status as status_raw,
        {{ cdp.standardize_consent_status('status') }} as status,
        {{ cdp.timestamp_columns('occurred_at', cdp.source_timezone('consent')) }},
        {{ cdp.lower_code('collected_via') }} as collected_via
    from source
)

select * from final
