with

source as (
    {{ cdp.select_source_columns('ads', 'spend') }}
),

parsed as (
    select
        {{ cdp.date_columns('spend_date') }},
        {{ cdp.lower_code('channel') }} as channel,
        {{ cdp.clean_text('campaign_id') }} as campaign_id,
        {{ cdp.clean_text('campaign_name') }} as campaign_name,
        {{ cdp.money_currency('spend_amount', 'currency') }} as currency,
        {{ cdp.money_columns('spend_amount') }},
        impressions as impressions_raw,
        {{ cdp.parse_integer('impressions') }} as impressions,
        clicks as clicks_raw,
        {{ cdp.parse_integer('clicks') }} as clicks
    from source
),

final as (
    select
        {{ cdp.surrogate_key(['coalesce(cast(spend_date as ' ~ dbt.type_string() ~ '), spend_date_raw)', 'channel', 'campaign_id']) }} as ad_spend_id,
        *
    from parsed
)

select * from final
