with

source as (
    {{ cdp.select_source_columns('web', 'events') }}
),

final as (
    select
        {{ cdp.clean_text('event_id') }} as event_id,
        {{ cdp.clean_text('anonymous_id') }} as anonymous_id,
        {{ cdp.clean_text('user_id') }} as user_id,
        {{ cdp.lower_code('event_name') }} as event_name,
        {{ cdp.clean_text('page_url') }} as page_url,
        {{ cdp.regexp_extract(cdp.clean_text('page_url'), '^[A-Za-z][A-Za-z0-9+.-]*://[^/?#]+(/[^?#]*)') }}
            as page_path,
        {{ cdp.clean_text('page_title') }} as page_title,
        {{ cdp.clean_text('referrer') }} as referrer,
        {{ cdp.lower_code('utm_source') }} as utm_source,
        {{ cdp.lower_code('utm_medium') }} as utm_medium,
        {{ cdp.clean_text('utm_campaign') }} as utm_campaign,
        {{ cdp.clean_text('utm_content') }} as utm_content,
        {{ cdp.clean_text('utm_term') }} as utm_term,
        {{ cdp.email_columns('form_email') }},
        {{ cdp.clean_text('product_id') }} as product_id,
        {{ cdp.lower_code('device_type') }} as device_type,
        {{ cdp.timestamp_columns('occurred_at', cdp.source_timezone('web')) }}
    from source
)

select * from final
