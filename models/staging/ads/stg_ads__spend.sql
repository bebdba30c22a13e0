{#- The same day written in two formats is one day: the key uses the parsed date when there is one. -#}
{%- set spend_day_key = "coalesce(" ~ dbt.cast(cdp.parse_date('spend_date'), dbt.type_string()) ~ ", spend_date)" -%}

with

source as (
    {{ cdp.select_source_columns('ads', 'spend') }}
),

final as (
    select
        {{ cdp.surrogate_key([spend_day_key, cdp.lower_code('channel'), cdp.clean_text('campaign_id')]) }}
            as ad_spend_id,
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
)

select * from final
