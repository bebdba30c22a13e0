"""Predictive traits: BG/NBD, Gamma-Gamma and lead-score models, fitted here, scored in the warehouse.

    bgnbd           purchase frequency and dropout (Fader, Hardie & Lee 2005): fit, P(alive), purchases
    gamma_gamma     spend per purchase (Fader & Hardie 2013): fit, conditional expected order value
    lead_score      logistic model of a prospect's first purchase from engagement
    hypergeometric  the truncated 2F1 series the SQL evaluates
    scoring         every trait int_customer_predictions computes, computed in Python (tests, evaluation)
    metrics         AUC, MAE, calibration by decile
    pipeline        read aggregates from the warehouse, fit, write and load the parameter seed

`activation predict fit` (activation/cli.py) runs the pipeline; benchmarks/predictions_eval.py validates
the models on a time split of generated data.
"""
