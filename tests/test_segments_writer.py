"""Segment definitions written back as YAML (activation.segments.writer): what the web app's builder saves."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
import yaml

from activation.errors import ConfigurationError
from activation.segments.definitions import _DefinitionLoader
from activation.segments.writer import definition_yaml, scalar
from tests.conftest import PROJECT_DIR

STARTER_FILES = sorted((PROJECT_DIR / "segments").glob("[a-z]*.yml"))
# Written in the writer's layout already: they must come back byte for byte. (cross_sell_category writes
# `not:` on two lines, high_score_prospects puts exclude_existing_customers before holdout_percent.)
CANONICAL = {
    "churn_risk.yml",
    "dormant_winback.yml",
    "existing_customers.yml",
    "high_value_loyal.yml",
    "lookalike_seed.yml",
    "repurchase_window.yml",
}


def load(text: str) -> dict:
    content = yaml.load(text, Loader=_DefinitionLoader)
    content["description"] = content["description"].strip()
    return content


@pytest.mark.parametrize("path", STARTER_FILES, ids=lambda path: path.stem)
def test_every_starter_definition_reads_back_the_same(path: Path) -> None:
    original = path.read_text(encoding="utf-8")
    written = definition_yaml(load(original))
    assert load(written) == load(original)
    if path.name in CANONICAL:
        assert written == original


def test_the_canonical_set_is_most_of_the_starters() -> None:
    assert {path.name for path in STARTER_FILES} >= CANONICAL


def test_values_are_quoted_only_when_yaml_would_read_them_otherwise() -> None:
    assert scalar(">=") == '">="'
    assert scalar("=") == '"="'
    assert scalar("in") == "in"
    assert scalar("no") == '"no"'  # YAML 1.1 would read a boolean
    assert scalar("12") == '"12"'
    assert scalar("Femme, Homme") == '"Femme, Homme"'
    assert scalar("a: b") == '"a: b"'
    assert scalar("2026-01-31") == "2026-01-31"
    assert scalar(dt.date(2026, 1, 31)) == "2026-01-31"
    assert scalar(0.7) == "0.7"
    assert scalar(True) == "true"
    assert scalar("Élodie") == "Élodie"


def test_a_builder_definition_is_written_as_a_person_would() -> None:
    definition = {
        "output": ["email", {"column": "predicted_clv_12m", "as": "customer_value"}],
        "conditions": {
            "any": [
                {"value": 3, "operator": ">=", "trait": "order_count"},
                {"not": {"consent": "sms"}},
                {
                    "performed": "purchased_products",
                    "within": "90 days",
                    "where": {"property": "category", "operator": "in", "value": ["Femme", "Homme"]},
                    "at_least": 2,
                },
                {"all": [{"in_segment": "churn_risk"}, {"trait": "city", "operator": "is null"}]},
            ]
        },
        "channel": "email",
        "owner": "crm@example.com",
        "description": "Short one.",
        "name": "ui_example",
        "exclude_existing_customers": False,
    }
    assert definition_yaml(definition) == (
        "name: ui_example\n"
        "description: Short one.\n"
        "owner: crm@example.com\n"
        "channel: email\n"
        "conditions:\n"
        "  any:\n"
        '    - {trait: order_count, operator: ">=", value: 3}\n'
        "    - not: {consent: sms}\n"
        "    - performed: purchased_products\n"
        "      where: {property: category, operator: in, value: [Femme, Homme]}\n"
        "      at_least: 2\n"
        "      within: 90 days\n"
        "    - all:\n"
        "        - {in_segment: churn_risk}\n"
        "        - {trait: city, operator: is null}\n"
        "output:\n"
        "  - email\n"
        "  - {column: predicted_clv_12m, as: customer_value}\n"
    )


def test_unknown_top_level_keys_are_refused() -> None:
    with pytest.raises(ConfigurationError, match="unknown keys"):
        definition_yaml({"name": "x", "sql": "select 1"})
