with

source as (
    {{ cdp.select_source_columns('support', 'tickets') }}
),

final as (
    select
        {{ cdp.clean_text('ticket_id') }} as ticket_id,
        {{ cdp.email_columns('requester_email') }},
        {{ cdp.phone_columns('requester_phone') }},
        {{ cdp.clean_text('requester_name') }} as requester_name,
        {{ cdp.full_name_match_key('requester_name') }} as requester_name_key,
        {{ cdp.clean_text('subject') }} as subject,
        {{ cdp.lower_code('channel') }} as channel,
        {{ cdp.lower_code('status') }} as status,
        {{ cdp.lower_code('priority') }} as priority,
        satisfaction_score as satisfaction_score_raw,
        {{ cdp.parse_integer('satisfaction_score') }} as satisfaction_score,
        {{ cdp.timestamp_columns('created_at', cdp.source_timezone('support')) }},
        {{ cdp.timestamp_columns('solved_at', cdp.source_timezone('support')) }}
    from source
)

select * from final
