{#-
  BG/NBD and lead-score expressions of int_customer_predictions, written over its column names (r, alpha, a,
  b: the model parameters; x, t_x, big_t: repeat purchases, recency and age in days; p_alive). The maths, and
  the Python functions computing the same numbers, are in activation/predictions/bgnbd.py.
-#}

{#-
  E[purchases in the next t days | history], for the series argument z = t / (alpha + big_t + t):
  P(alive) (a + b + x - 1) / (a - 1) (1 - (1 - z)^(a - 1) 2F1(a + b - 1 - r, a - 1; a + b + x - 1; z)),
  the paper's equation (10) after Euler's transformation of its 2F1 (which makes the series converge fast
  enough to cut). Expects the columns series_a = a + b - 1 - r, series_b = a - 1, series_c = a + b + x - 1.
  a = 1 would divide by zero: the expression is then null rather than an error.
-#}
{% macro bgnbd_expected_purchases(z) -%}
  p_alive * series_c / nullif(a - 1, 0)
  * (1 - power(1 - {{ z }}, a - 1) * {{ cdp.hyp2f1_series('series_a', 'series_b', 'series_c', z, var('cdp_predictions_hyp2f1_terms') | int) }})
{%- endmacro %}

{#-
  The engagement features the lead-score model reads (columns of int_customer_lead_features), each with a
  coefficient of that name in the lead_score rows of prediction_model_parameters. `activation predict fit`
  fits one coefficient per lead_feature_* column it finds, so a feature added to the model must be added
  here too (a data test fails on the predictions otherwise).
-#}
{% macro lead_score_features() -%}
  {{ return([
    'lead_feature_sessions_30d',
    'lead_feature_sessions_90d',
    'lead_feature_page_views_90d',
    'lead_feature_cart_events_90d',
    'lead_feature_visit_recency',
    'lead_feature_email_consent',
  ]) }}
{%- endmacro %}
