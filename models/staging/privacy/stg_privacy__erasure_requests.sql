with

source as (
    {{ cdp.select_source_columns('privacy', 'erasure_requests') }}
),

final as (
    select
        {{ cdp.clean_text('request_id') }} as request_id,
        {{ cdp.subject_identifier_columns('subject_type', 'subject_value') }},
        {{ cdp.timestamp_columns('requested_at', cdp.source_timezone('privacy')) }},
        {{ cdp.lower_code('received_via') }} as received_via
    from source
)

select * from final
