{#- Generated from segments/*.yml by `activation segments compile`: do not edit
    (edit the definition, then recompile). -#}

with

segment_reference_date as (
    select * from {{ ref('segment_reference_date') }}
),

seg_churn_risk as (
    select * from {{ ref('seg_churn_risk') }}
),

seg_cross_sell_category as (
    select * from {{ ref('seg_cross_sell_category') }}
),

seg_dormant_winback as (
    select * from {{ ref('seg_dormant_winback') }}
),

seg_existing_customers as (
    select * from {{ ref('seg_existing_customers') }}
),

seg_high_score_prospects as (
    select * from {{ ref('seg_high_score_prospects') }}
),

seg_high_value_loyal as (
    select * from {{ ref('seg_high_value_loyal') }}
),

seg_lookalike_seed as (
    select * from {{ ref('seg_lookalike_seed') }}
),

seg_repurchase_window as (
    select * from {{ ref('seg_repurchase_window') }}
),

unioned as (
    select
        cast('churn_risk' as {{ dbt.type_string() }}) as segment_name,
        cast('email' as {{ dbt.type_string() }}) as channel,
        seg_churn_risk.customer_id,
        seg_churn_risk.is_holdout
    from seg_churn_risk
    union all
    select
        cast('cross_sell_category' as {{ dbt.type_string() }}) as segment_name,
        cast('email' as {{ dbt.type_string() }}) as channel,
        seg_cross_sell_category.customer_id,
        seg_cross_sell_category.is_holdout
    from seg_cross_sell_category
    union all
    select
        cast('dormant_winback' as {{ dbt.type_string() }}) as segment_name,
        cast('email' as {{ dbt.type_string() }}) as channel,
        seg_dormant_winback.customer_id,
        seg_dormant_winback.is_holdout
    from seg_dormant_winback
    union all
    select
        cast('existing_customers' as {{ dbt.type_string() }}) as segment_name,
        cast('ads_personalisation' as {{ dbt.type_string() }}) as channel,
        seg_existing_customers.customer_id,
        seg_existing_customers.is_holdout
    from seg_existing_customers
    union all
    select
        cast('high_score_prospects' as {{ dbt.type_string() }}) as segment_name,
        cast('email' as {{ dbt.type_string() }}) as channel,
        seg_high_score_prospects.customer_id,
        seg_high_score_prospects.is_holdout
    from seg_high_score_prospects
    union all
    select
        cast('high_value_loyal' as {{ dbt.type_string() }}) as segment_name,
        cast('email' as {{ dbt.type_string() }}) as channel,
        seg_high_value_loyal.customer_id,
        seg_high_value_loyal.is_holdout
    from seg_high_value_loyal
    union all
    select
        cast('lookalike_seed' as {{ dbt.type_string() }}) as segment_name,
        cast('ads_personalisation' as {{ dbt.type_string() }}) as channel,
        seg_lookalike_seed.customer_id,
        seg_lookalike_seed.is_holdout
    from seg_lookalike_seed
    union all
    select
        cast('repurchase_window' as {{ dbt.type_string() }}) as segment_name,
        cast('sms' as {{ dbt.type_string() }}) as channel,
        seg_repurchase_window.customer_id,
        seg_repurchase_window.is_holdout
    from seg_repurchase_window
),

final as (
    select
        unioned.segment_name,
        unioned.channel,
        unioned.customer_id,
        unioned.is_holdout,
        segment_reference_date.as_of_date
    from unioned
    cross join segment_reference_date
)

select * from final
