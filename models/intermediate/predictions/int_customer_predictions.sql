{#-
  Predictive traits of every customer, as of the as-of date (int_prediction_snapshots), scored in SQL from
  the fitted parameters (seed prediction_model_parameters, written by `activation predict fit`), so that they
  exist on every engine. Customers who bought (int_customer_purchase_summaries) get the BG/NBD and
  Gamma-Gamma traits; prospects, who have not bought yet, get a lead score; everyone gets a next best
  category. Time is in days; a month is 365.25 / 12 days. The 90-day and 12-month horizons are in the
  column names, hence fixed here rather than vars. The maths: activation/predictions/bgnbd.py.
-#}

{#- Each term of the 2F1 series nests the expression some 5 levels deeper (see cdp.hyp2f1_series). -#}
{{ config(pre_hook="{{ cdp.allow_expression_depth(6 * var('cdp_predictions_hyp2f1_terms') + 200) }}") }}

{%- set settings = cdp.prediction_settings() -%}
{%- set purchase_horizon_days = 90 -%}
{%- set clv_months = 12 -%}
{%- set days_per_month = 365.25 / 12 -%}
{%- set model_parameters = [
    ('bg_nbd', 'r'), ('bg_nbd', 'alpha'), ('bg_nbd', 'a'), ('bg_nbd', 'b'), ('bg_nbd', 'dropout_probability'),
    ('gamma_gamma', 'p'), ('gamma_gamma', 'q'), ('gamma_gamma', 'gamma'), ('lead_score', 'intercept'),
] -%}
{%- set waiting_quantiles = {'early': 0.25, 'median': 0.5, 'late': 0.75} -%}

with

customers as (
    select * from {{ ref('int_customers_golden') }}
),

snapshots as (
    select * from {{ ref('int_prediction_snapshots') }}
    where snapshot_role = 'scoring'
),

purchase_summaries as (
    select * from {{ ref('int_customer_purchase_summaries') }}
),

lead_features as (
    select * from {{ ref('int_customer_lead_features') }}
    where snapshot_role = 'scoring'
),

next_best_categories as (
    select * from {{ ref('int_customer_next_best_categories') }}
),

prediction_model_parameters as (
    select * from {{ ref('prediction_model_parameters') }}
    where parameter_kind = 'parameter'
),

{# One row: every parameter as a column (bg_nbd_r, ..., lead_score_intercept, coefficient_lead_feature_*). #}
parameters as (
    select
        {%- for model_name, parameter_name in model_parameters %}
            max(
                case
                    when model_name = '{{ model_name }}' and parameter_name = '{{ parameter_name }}'
                        then cast(parameter_value as {{ cdp.type_double() }})
                end
            ) as {{ model_name }}_{{ parameter_name }},
        {%- endfor %}
        {%- for feature in cdp.lead_score_features() %}
            max(
                case
                    when model_name = 'lead_score' and parameter_name = '{{ feature }}'
                        then cast(parameter_value as {{ cdp.type_double() }})
                end
            ) as coefficient_{{ feature }},
        {%- endfor %}
        count(*) as parameter_count
    from prediction_model_parameters
),

histories as (
    select
        purchase_summaries.customer_id,
        cast(purchase_summaries.repeat_purchase_count as {{ cdp.type_double() }}) as x,
        cast(purchase_summaries.recency_days as {{ cdp.type_double() }}) as t_x,
        cast(purchase_summaries.age_days as {{ cdp.type_double() }}) as big_t,
        cast(purchase_summaries.valued_repeat_purchase_count as {{ cdp.type_double() }}) as valued_x,
        purchase_summaries.repeat_purchase_value_mean,
        purchase_summaries.value_currency,
        parameters.bg_nbd_r as r,
        parameters.bg_nbd_alpha as alpha,
        parameters.bg_nbd_a as a,
        parameters.bg_nbd_b as b,
        parameters.bg_nbd_dropout_probability as dropout_probability,
        parameters.gamma_gamma_p,
        parameters.gamma_gamma_q,
        parameters.gamma_gamma_gamma
    from purchase_summaries
    cross join parameters
),

{#
  P(alive) = 1 / (1 + odds ((alpha + T) / (alpha + t_x))^(r + x)) once there is a repeat purchase, with
  odds = a / (b + x - 1) (Beta dropout) or p / (1 - p) (fixed dropout: the parameters hold one or the other).
#}
alive as (
    select
        *,
        1 / (
            1 + case
                when x > 0
                    then
                        coalesce(dropout_probability / (1 - dropout_probability), a / (b + x - 1))
                        * exp(least((r + x) * (ln(alpha + big_t) - ln(alpha + t_x)), 700))
                else 0
            end
        ) as p_alive,
        a + b - 1 - r as series_a,
        a - 1 as series_b,
        a + b + x - 1 as series_c
    from histories
),

{#
  Expected purchases are needed at 13 horizons: 90 days, and the end of each of the next 12 months (for the
  lifetime value). One row per customer and horizon, so that each row evaluates one 2F1 series: 13 nested
  series in one projection take Spark's planner gigabytes of memory.
#}
horizons as (
    {%- for horizon_index in range(0, clv_months + 1) %}
        select
            {{ horizon_index }} as horizon_index,
            cast(
                {{ purchase_horizon_days if horizon_index == 0 else horizon_index * days_per_month }}
                as {{ cdp.type_double() }}
            ) as horizon_days,
            cast({{ (1 + settings.monthly_discount_rate) ** horizon_index }} as {{ cdp.type_double() }})
                as discount_factor
        {%- if not loop.last %}
            union all
        {%- endif %}
    {%- endfor %}
),

series_arguments as (
    select
        alive.*,
        horizons.horizon_index,
        horizons.horizon_days,
        horizons.discount_factor,
        horizons.horizon_days / (alive.alpha + alive.big_t + horizons.horizon_days) as z
    from alive
    cross join horizons
),

expected_purchases_by_horizon as (
    select
        customer_id,
        horizon_index,
        discount_factor,
        {{ cdp.bgnbd_expected_purchases('horizon_days', 'z') }} as expected_purchases
    from series_arguments
),

{# Each month's expected purchases: the growth of the cumulative expectation since the previous month. #}
monthly_purchases as (
    select
        customer_id,
        horizon_index,
        discount_factor,
        expected_purchases,
        expected_purchases - coalesce(
            lag(expected_purchases) over (partition by customer_id order by horizon_index), 0
        ) as month_purchases
    from expected_purchases_by_horizon
    where horizon_index > 0
),

expected_purchases as (
    select
        expected_purchases_by_horizon.customer_id,
        max(
            case
                when expected_purchases_by_horizon.horizon_index = 0
                    then expected_purchases_by_horizon.expected_purchases
            end
        ) as expected_purchases_90d,
        sum(monthly_purchases.month_purchases / monthly_purchases.discount_factor) as discounted_purchases_12m
    from expected_purchases_by_horizon
    left join monthly_purchases
        on
            expected_purchases_by_horizon.customer_id = monthly_purchases.customer_id
            and expected_purchases_by_horizon.horizon_index = monthly_purchases.horizon_index
    group by expected_purchases_by_horizon.customer_id
),

{#
  Gamma-Gamma: E(order value | mean m of x valued repeat purchases) = (gamma + m x) p / (p x + q - 1), the
  population mean p gamma / (q - 1) when x = 0. Lifetime value: each month's expected purchases times that
  value, discounted by the monthly rate. No purchase in t days: 1 - P(alive) + P(alive) ((alpha + T) /
  (alpha + T + t))^(r + x). Wait for the next purchase if active (a Lomax law), quantile q:
  (alpha + T) ((1 - q)^(-1 / (r + x)) - 1).
#}
valued as (
    select
        alive.*,
        expected_purchases.expected_purchases_90d,
        expected_purchases.discounted_purchases_12m,
        (alive.gamma_gamma_gamma + coalesce(alive.repeat_purchase_value_mean, 0) * alive.valued_x)
        * alive.gamma_gamma_p
        / nullif(alive.gamma_gamma_p * alive.valued_x + alive.gamma_gamma_q - 1, 0) as expected_order_value,
        {%- for quantile_name, quantile in waiting_quantiles.items() %}
            (alive.alpha + alive.big_t) * (exp(least(-ln({{ 1 - quantile }}) / (alive.r + alive.x), 700)) - 1)
                as waiting_days_{{ quantile_name }},
        {%- endfor %}
        1 - alive.p_alive + alive.p_alive * exp(
            greatest(
                (alive.r + alive.x)
                * (ln(alive.alpha + alive.big_t) - ln(alive.alpha + alive.big_t + {{ settings.churn_horizon_days }})),
                -700
            )
        ) as probability_no_purchase
    from alive
    inner join expected_purchases
        on alive.customer_id = expected_purchases.customer_id
),

lead_scores as (
    select
        lead_features.customer_id,
        1 / (1 + exp(-least(greatest(
            parameters.lead_score_intercept
            {%- for feature in cdp.lead_score_features() %}
                + parameters.coefficient_{{ feature }} * lead_features.{{ feature }}
            {%- endfor %},
            -700
        ), 700))) as lead_score
    from lead_features
    cross join parameters
),

final as (
    select
        customers.customer_id,
        snapshots.snapshot_date as as_of_date,
        valued.customer_id is null as is_prospect,
        valued.p_alive,
        valued.expected_purchases_90d,
        valued.probability_no_purchase as churn_risk,
        valued.expected_order_value,
        valued.expected_order_value * valued.discounted_purchases_12m as predicted_clv_12m,
        valued.value_currency,
        {%- for column, quantile_name in [
            ('repurchase_window_start_date', 'early'),
            ('predicted_next_purchase_date', 'median'),
            ('repurchase_window_end_date', 'late'),
        ] %}
            case
                when valued.waiting_days_{{ quantile_name }} <= {{ settings.max_repurchase_days }}
                    then cast({{ dbt.dateadd(
                        'day',
                        'cast(round(least(valued.waiting_days_' ~ quantile_name ~ ', '
                        ~ settings.max_repurchase_days ~ ')) as integer)',
                        'snapshots.snapshot_date'
                    ) }} as date)
            end as {{ column }},
        {%- endfor %}
        lead_scores.lead_score,
        next_best_categories.next_best_category,
        next_best_categories.next_best_category_reason
    from customers
    cross join snapshots
    left join valued
        on customers.customer_id = valued.customer_id
    left join lead_scores
        on customers.customer_id = lead_scores.customer_id
    left join next_best_categories
        on customers.customer_id = next_best_categories.customer_id
)

select * from final
