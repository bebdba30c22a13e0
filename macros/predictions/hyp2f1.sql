{#-
  Gauss's hypergeometric function 2F1(A, B; C; z), |z| < 1, as the first `terms` terms of its power series:
  sum over n of (A)_n (B)_n / ((C)_n n!) z^n, written out in Horner form
      1 + c1 (1 + c2 (1 + ... (1 + c_{terms-1}))),   c_k = (A + k - 1) (B + k - 1) z / ((C + k - 1) k)
  so that every engine evaluates it with plain arithmetic (there is no 2F1, nor a portable log-gamma, in
  SQL). The arguments are SQL expressions of type double; use column names, since each one is repeated
  `terms` times. activation/predictions/hypergeometric.py evaluates exactly the same nesting, and
  tests/test_predictions.py holds both against scipy's exact value.
  How many terms are enough depends on z (the error shrinks like z^terms): see the
  cdp_predictions_hyp2f1_terms var.
-#}
{% macro hyp2f1_series(upper_a, upper_b, lower_c, z, terms) -%}
  {%- if terms is not number or terms < 1 -%}
    {{ exceptions.raise_compiler_error("hyp2f1_series: terms must be a positive integer, got " ~ terms) }}
  {%- endif -%}
  {%- for k in range(1, terms | int) -%}
    (1 + ({{ upper_a }} + {{ k - 1 }}) * ({{ upper_b }} + {{ k - 1 }}) * {{ z }} / (({{ lower_c }} + {{ k - 1 }}) * {{ k }}) * {% endfor -%}
  1{{ ')' * ((terms | int) - 1) }}
{%- endmacro %}

{#-
  A statement to run before a model holding deep expressions (a pre-hook): DuckDB refuses expressions nested
  deeper than its max_expression_depth setting (1000), which the Horner form of hyp2f1_series reaches at
  about 190 terms (some 5 levels per term). The other engines have no such limit: nothing to run there.
-#}
{% macro allow_expression_depth(depth) -%}
  {{ return(adapter.dispatch('allow_expression_depth', 'cdp')(depth)) }}
{%- endmacro %}

{% macro default__allow_expression_depth(depth) -%}
{%- endmacro %}

{% macro duckdb__allow_expression_depth(depth) -%}
  set max_expression_depth to {{ [depth | int, 1000] | max }}
{%- endmacro %}
