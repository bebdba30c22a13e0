{#-
  Paid acquisition for BI: one row per (month, ads channel, campaign) with spend (reporting currency),
  impressions and clicks from the ads spend export, the new buyers attributed to the campaign, their revenue,
  CAC, ROAS and LTV:CAC.

  Attribution is first touch: a customer whose first purchase falls in the month is credited to the campaign
  of their earliest UTM-tagged web session in the cdp_attribution_lookback_days before that purchase, when its
  utm_source stands for an ads channel (var cdp_attribution_utm_sources) and its utm_campaign is the name of a
  campaign of that channel in the spend export (names compared case-insensitively). A customer whose first
  tagged session came from a newsletter or an affiliate, or who had none, is credited to no campaign. Spend
  channels are made canonical with var cdp_ads_channel_aliases.
  Attributed revenue is the customer's recognised revenue in the cdp_attribution_revenue_window_days from their
  first purchase (up to the as-of date); LTV is their recognised revenue to the as-of date plus the predicted
  12-month CLV (int_customer_predictions). Internal and test accounts are left out.
-#}

{%- set lookback_days = cdp.kpi_days_setting('cdp_attribution_lookback_days', 90) %}
{%- set revenue_window_days = cdp.kpi_days_setting('cdp_attribution_revenue_window_days', 90) %}

with

ads_spend as (
    select * from {{ ref('stg_ads__spend') }}
),

customers as (
    select * from {{ ref('dim_customers') }}
),

orders as (
    select * from {{ ref('fct_orders') }}
),

web_sessions as (
    select * from {{ ref('fct_web_sessions') }}
),

predictions as (
    select * from {{ ref('int_customer_predictions') }}
),

as_of as (
    select * from {{ ref('int_customer360_as_of') }}
),

spend_rows as (
    select
        cast({{ dbt.date_trunc('month', 'ads_spend.spend_date') }} as date) as spend_month,
        {{ cdp.ads_channel('ads_spend.channel') }} as ads_channel,
        ads_spend.campaign_id,
        ads_spend.campaign_name,
        {{ cdp.amount_in_reporting_currency('ads_spend.spend_amount', 'ads_spend.currency') }} as spend,
        ads_spend.impressions,
        ads_spend.clicks
    from ads_spend
    cross join as_of
    where ads_spend.spend_date <= as_of.as_of_date
),

campaigns as (
    select
        ads_channel,
        lower(campaign_name) as campaign_match_name,
        max(campaign_id) as campaign_id,
        max(campaign_name) as campaign_name
    from spend_rows
    group by ads_channel, lower(campaign_name)
),

monthly_spend as (
    select
        spend_month,
        ads_channel,
        lower(campaign_name) as campaign_match_name,
        sum(spend) as spend,
        sum(impressions) as impressions,
        sum(clicks) as clicks
    from spend_rows
    group by spend_month, ads_channel, lower(campaign_name)
),

first_purchases as (
    select
        orders.customer_id,
        min(orders.ordered_at) as first_purchase_at
    from orders
    inner join customers
        on orders.customer_id = customers.customer_id
    cross join as_of
    where orders.is_purchase and orders.order_date <= as_of.as_of_date and not customers.is_test_account
    group by orders.customer_id
),

{# Tagged sessions in the lookback window up to the first purchase, the earliest first. #}
touches as (
    select
        first_purchases.customer_id,
        first_purchases.first_purchase_at,
        web_sessions.utm_source,
        web_sessions.utm_campaign,
        row_number() over (
            partition by first_purchases.customer_id
            order by web_sessions.started_at, web_sessions.session_id
        ) as touch_rank
    from first_purchases
    inner join web_sessions
        on first_purchases.customer_id = web_sessions.customer_id
    where
        web_sessions.utm_source is not null
        and web_sessions.started_at <= first_purchases.first_purchase_at
        and web_sessions.started_at
        >= {{ dbt.dateadd('day', -lookback_days, 'first_purchases.first_purchase_at') }}
),

attributed_customers as (
    select
        customer_id,
        first_purchase_at,
        cast({{ dbt.date_trunc('month', 'first_purchase_at') }} as date) as acquisition_month,
        {{ cdp.utm_source_ads_channel('utm_source') }} as ads_channel,
        coalesce(lower(utm_campaign), '(not set)') as campaign_match_name
    from touches
    where touch_rank = 1 and {{ cdp.utm_source_ads_channel('utm_source') }} is not null
),

attributed_revenue as (
    select
        attributed_customers.customer_id,
        sum(orders.recognised_revenue_reporting) as window_revenue
    from attributed_customers
    inner join orders
        on attributed_customers.customer_id = orders.customer_id
    cross join as_of
    where
        orders.ordered_at >= attributed_customers.first_purchase_at
        and orders.order_date
        < {{ dbt.dateadd('day', revenue_window_days, 'cast(attributed_customers.first_purchase_at as date)') }}
        and orders.order_date <= as_of.as_of_date
    group by attributed_customers.customer_id
),

attributed_values as (
    select
        attributed_customers.acquisition_month,
        attributed_customers.ads_channel,
        attributed_customers.campaign_match_name,
        attributed_customers.customer_id,
        coalesce(attributed_revenue.window_revenue, 0) as window_revenue,
        customers.total_revenue
        + coalesce(
            {{ cdp.amount_in_reporting_currency('predictions.predicted_clv_12m', 'predictions.value_currency') }},
            0
        ) as lifetime_value
    from attributed_customers
    inner join customers
        on attributed_customers.customer_id = customers.customer_id
    left join attributed_revenue
        on attributed_customers.customer_id = attributed_revenue.customer_id
    left join predictions
        on attributed_customers.customer_id = predictions.customer_id
),

monthly_attribution as (
    select
        acquisition_month,
        ads_channel,
        campaign_match_name,
        count(*) as new_customers,
        sum(window_revenue) as attributed_revenue,
        sum(lifetime_value) as lifetime_value
    from attributed_values
    group by acquisition_month, ads_channel, campaign_match_name
),

{# Months with spend but no new customer, and new customers of a month without spend (a campaign just ended). #}
joined as (
    select
        coalesce(monthly_spend.spend_month, monthly_attribution.acquisition_month) as month_start_date,
        coalesce(monthly_spend.ads_channel, monthly_attribution.ads_channel) as ads_channel,
        coalesce(monthly_spend.campaign_match_name, monthly_attribution.campaign_match_name)
            as campaign_match_name,
        coalesce(monthly_spend.spend, 0) as spend,
        coalesce(monthly_spend.impressions, 0) as impressions,
        coalesce(monthly_spend.clicks, 0) as clicks,
        coalesce(monthly_attribution.new_customers, 0) as new_customers,
        coalesce(monthly_attribution.attributed_revenue, 0) as attributed_revenue,
        coalesce(monthly_attribution.lifetime_value, 0) as lifetime_value
    from monthly_spend
    full outer join monthly_attribution
        on
            monthly_spend.spend_month = monthly_attribution.acquisition_month
            and monthly_spend.ads_channel = monthly_attribution.ads_channel
            and monthly_spend.campaign_match_name = monthly_attribution.campaign_match_name
),

final as (
    select
        joined.month_start_date,
        cast(joined.ads_channel as {{ dbt.type_string() }}) as ads_channel,
        cast(campaigns.campaign_id as {{ dbt.type_string() }}) as campaign_id,
        cast(coalesce(campaigns.campaign_name, joined.campaign_match_name) as {{ dbt.type_string() }})
            as campaign_name,
        campaigns.campaign_id is not null as is_known_campaign,
        cast(joined.spend as {{ cdp.type_money() }}) as spend,
        cast(joined.impressions as {{ dbt.type_bigint() }}) as impressions,
        cast(joined.clicks as {{ dbt.type_bigint() }}) as clicks,
        cast(joined.new_customers as {{ dbt.type_bigint() }}) as new_customers,
        cast(joined.attributed_revenue as {{ cdp.type_money() }}) as attributed_revenue,
        cast(joined.lifetime_value as {{ cdp.type_money() }}) as attributed_lifetime_value,
        cast(
            case when joined.spend > 0 then {{ cdp.divide_money('joined.spend', 'joined.new_customers') }} end
            as {{ cdp.type_money() }}
        ) as cac,
        cast(joined.attributed_revenue as {{ cdp.type_double() }}) / nullif(joined.spend, 0) as roas,
        case
            when joined.new_customers > 0
                then cast(joined.lifetime_value as {{ cdp.type_double() }}) / nullif(joined.spend, 0)
        end as ltv_to_cac,
        cast('{{ cdp.reporting_currency() }}' as {{ dbt.type_string() }}) as reporting_currency
    from joined
    left join campaigns
        on
            joined.ads_channel = campaigns.ads_channel
            and joined.campaign_match_name = campaigns.campaign_match_name
)

select * from final
