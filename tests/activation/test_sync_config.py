"""Sync definitions read from a dbt manifest: every problem reported, each naming file, sync and field."""

from __future__ import annotations

import sys
import textwrap
from pathlib import Path
from typing import Any

import pytest

from activation.destinations import available_destinations
from activation.errors import SyncConfigurationError
from activation.syncs.config import ProjectSettings, syncs_from_manifest


def manifest(*exposures: dict[str, Any]) -> dict[str, Any]:
    nodes = {
        "model.p.seg_a": {
            "name": "seg_a",
            "resource_type": "model",
            "relation_name": '"db"."main_segments"."seg_a"',
        },
        "model.p.dim_customers": {
            "name": "dim_customers",
            "resource_type": "model",
            "relation_name": '"db"."main_marts"."dim_customers"',
        },
    }
    return {
        "metadata": {"adapter_type": "duckdb"},
        "nodes": nodes,
        "exposures": {f"exposure.p.{item['name']}": item for item in exposures},
    }


def exposure(name: str, activation: Any, depends_on: list[str] | None = None) -> dict[str, Any]:
    return {
        "name": name,
        "original_file_path": "models/syncs.yml",
        "depends_on": {"nodes": depends_on if depends_on is not None else ["model.p.seg_a"]},
        "config": {"meta": {"activation": activation}},
    }


WEBHOOK = {"type": "webhook", "url": "https://hooks.example.com/a", "consent_channel": "email"}


def test_valid_sync_resolves_relation_consent_and_defaults() -> None:
    catalog = syncs_from_manifest(
        manifest(exposure("newsletter", {"destination": WEBHOOK, "identifiers": {"email": "email"}})),
        ProjectSettings(),
    )
    sync = catalog.syncs["newsletter"]
    assert sync.relation == '"db"."main_segments"."seg_a"'
    assert sync.consent_relation == '"db"."main_marts"."dim_customers"'
    assert sync.consent_column == "has_email_consent" and sync.erased_column == "is_erased"
    assert sync.mode == "upsert" and sync.batch_size == 1000 and sync.key_column == "customer_id"
    # Meta needs ads consent whatever the segment's channel.
    meta = {"type": "meta_custom_audience", "audience_id": "1", "access_token_env": "META_TOKEN"}
    ads = syncs_from_manifest(
        manifest(exposure("ads", {"destination": meta, "mode": "mirror", "identifiers": {"email": "email"}})),
        ProjectSettings(),
    ).syncs["ads"]
    assert ads.consent_column == "has_ads_personalisation_consent" and ads.batch_size == 10_000


def test_every_problem_is_reported_with_file_sync_and_field() -> None:
    with pytest.raises(SyncConfigurationError) as raised:
        syncs_from_manifest(
            manifest(
                exposure(
                    "bad_webhook",
                    {"destination": {"type": "webhook", "consent_channel": "email"}, "mode": "sideways"},
                ),
                exposure(
                    "bad_meta",
                    {
                        "destination": {
                            "type": "meta_custom_audience",
                            "audience_id": "x1",
                            "access_token": "EAAB...",
                        },
                        "mode": "update_only",
                        "identifiers": {"email": "email", "shoe_size": "size"},
                        "batch_size": 20000,
                    },
                ),
                exposure("no_type", {"destination": {"url": "https://x"}}),
                exposure("two_models", {"destination": WEBHOOK}, ["model.p.seg_a", "model.p.dim_customers"]),
                exposure("typo", {"destination": WEBHOOK, "identifers": {"email": "email"}}),
            ),
            ProjectSettings(),
        )
    problems = "\n".join(raised.value.problems)
    expected = [
        "models/syncs.yml: sync 'bad_webhook': mode: Input should be 'upsert', 'mirror', 'add_only' or "
        "'update_only'",
        "sync 'bad_meta': destination.access_token: secrets come only from environment variables: set "
        "access_token_env to the variable's name",
        "sync 'bad_meta': destination.audience_id: String should match pattern",
        "sync 'bad_meta': destination.access_token_env: Field required",
        "sync 'no_type': destination.type: missing; available:",
        "sync 'two_models': depends_on: a sync reads exactly one model; found 2",
        "sync 'typo': identifers: Extra inputs are not permitted",
    ]
    for fragment in expected:
        assert fragment in problems, fragment
    # The secret given in clear is never echoed back.
    assert "EAAB" not in problems


def test_mapping_problems_name_their_field() -> None:
    meta = {"type": "meta_custom_audience", "audience_id": "1", "access_token_env": "T"}
    with pytest.raises(SyncConfigurationError) as raised:
        syncs_from_manifest(
            manifest(
                exposure(
                    "ads",
                    {
                        "destination": meta,
                        "mode": "update_only",
                        "identifiers": {"email": "email", "shoe_size": "size"},
                        "fields": {"email": "other", "bad name": "x"},
                        "batch_size": 20000,
                    },
                )
            ),
            ProjectSettings(),
        )
    problems = "\n".join(raised.value.problems)
    for fragment in (
        "sync 'ads': identifiers.shoe_size: unknown identifier",
        "sync 'ads': fields.email: also an identifier",
        "sync 'ads': fields.bad name: field names are letters",
        "sync 'ads': mode: meta_custom_audience supports upsert, mirror, add_only",
        "sync 'ads': batch_size: meta_custom_audience takes at most 10000",
    ):
        assert fragment in problems, fragment


def test_consent_needs_the_consent_model() -> None:
    with pytest.raises(SyncConfigurationError) as raised:
        syncs_from_manifest(
            manifest(exposure("newsletter", {"destination": WEBHOOK})),
            ProjectSettings(consent_model="dim_people"),
        )
    assert (
        "consent model 'dim_people' (var cdp_activation_consent_model) is not a model of this project"
        in str(raised.value)
    )


def test_project_settings_from_vars(tmp_path: Path) -> None:
    (tmp_path / "dbt_project.yml").write_text(
        "name: p\nvars:\n  cdp_activation_state_schema: sync_state\n  cdp_activation_consent_model: "
        "dim_people\n"
    )
    settings = ProjectSettings.from_project(tmp_path)
    assert settings.state_schema == "sync_state" and settings.consent_model == "dim_people"
    (tmp_path / "dbt_project.yml").write_text(
        "name: p\nvars:\n  cdp_activation_consent_column_pattern: consent\n"
    )
    with pytest.raises(Exception, match=r"must contain \{channel\}"):
        ProjectSettings.from_project(tmp_path)


def test_main_project_declares_the_activation_vars() -> None:
    import yaml

    project_dir = Path(__file__).resolve().parents[2]
    variables = yaml.safe_load((project_dir / "dbt_project.yml").read_text())["vars"]
    declared = {name for name in variables if name.startswith("cdp_activation_")}
    assert declared == {
        "cdp_activation_state_schema",
        "cdp_activation_consent_model",
        "cdp_activation_consent_key_column",
        "cdp_activation_consent_column_pattern",
        "cdp_activation_erased_column",
    }
    settings = ProjectSettings.from_project(project_dir)
    assert settings.consent_model == variables["cdp_activation_consent_model"] == "dim_customers"


def test_plugin_destination_found_through_entry_points(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A third party adds a destination without forking: a class under cdp.activation.destinations."""
    package = tmp_path / "cdp_test_plugin"
    package.mkdir()
    (package / "__init__.py").write_text(
        textwrap.dedent(
            """
            from activation.destinations.base import BatchOutcome, Destination, DestinationSettings

            class NullSettings(DestinationSettings):
                consent_channel: str = "none"

            class NullDestination(Destination):
                type_name = "null_sink"
                summary = "Accepts everything."
                Settings = NullSettings
                max_batch_size = 10
                default_batch_size = 10
                delivery_semantics = "Drops everything."

                def send(self, batch):
                    return BatchOutcome()
            """
        )
    )
    dist = tmp_path / "cdp_test_plugin-1.0.dist-info"
    dist.mkdir()
    (dist / "METADATA").write_text("Metadata-Version: 2.1\nName: cdp-test-plugin\nVersion: 1.0\n")
    (dist / "entry_points.txt").write_text(
        "[cdp.activation.destinations]\nnull_sink = cdp_test_plugin:NullDestination\n"
    )
    monkeypatch.syspath_prepend(str(tmp_path))
    types = available_destinations()
    assert "null_sink" in types and types["null_sink"].__name__ == "NullDestination"
    catalog = syncs_from_manifest(
        manifest(exposure("nothing", {"destination": {"type": "null_sink"}})), ProjectSettings()
    )
    assert catalog.syncs["nothing"].destination_type == "null_sink"
    sys.modules.pop("cdp_test_plugin", None)
