{#-
  kpi_marketing_performance keeps every cent of the ads spend export up to the as-of date (converted to the
  reporting currency), and credits no customer twice: its new customers are at most the buyers of
  dim_customers. Fails with both sides when they differ.
-#}

with

performance as (
    select * from {{ ref('kpi_marketing_performance') }}
),

ads_spend as (
    select * from {{ ref('stg_ads__spend') }}
),

customers as (
    select * from {{ ref('dim_customers') }}
),

as_of as (
    select * from {{ ref('int_customer360_as_of') }}
),

from_performance as (
    select
        sum(spend) as spend,
        sum(impressions) as impressions,
        sum(new_customers) as new_customers
    from performance
),

from_ads_spend as (
    select
        coalesce(sum({{ cdp.amount_in_reporting_currency('ads_spend.spend_amount', 'ads_spend.currency') }}), 0)
            as spend,
        coalesce(sum(ads_spend.impressions), 0) as impressions
    from ads_spend
    cross join as_of
    where ads_spend.spend_date <= as_of.as_of_date
),

from_customers as (
    select count(*) as buyer_count
    from customers
    where first_order_date is not null and not is_test_account
),

final as (
    select
        from_performance.spend as kpi_spend,
        from_ads_spend.spend as ads_spend,
        from_performance.impressions as kpi_impressions,
        from_ads_spend.impressions as ads_impressions,
        from_performance.new_customers as kpi_new_customers,
        from_customers.buyer_count as dim_customers_buyers
    from from_performance
    cross join from_ads_spend
    cross join from_customers
    where
        from_performance.spend != from_ads_spend.spend
        or from_performance.impressions != from_ads_spend.impressions
        or from_performance.new_customers > from_customers.buyer_count
)

select * from final
