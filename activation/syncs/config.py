"""Sync definitions: dbt exposures whose `meta` has an `activation` block, read from the dbt manifest.

Declaring syncs as exposures puts them where analytics engineers already look: `dbt docs` shows each sync
downstream of its segment model, and `dbt parse` resolves the model to its relation on every engine (custom
schemas, aliases, enabled flags) so this package never guesses a table name.

    exposures:
      - name: newsletter_webhook            # the sync's name
        type: application
        owner: {name: CRM team}
        depends_on: [ref('seg_newsletter')]
        config:
          meta:
            activation:
              destination: {type: webhook, url: "https://...", secret_env: NEWSLETTER_WEBHOOK_SECRET,
                            consent_channel: email}
              mode: mirror                  # upsert | mirror | add_only | update_only
              identifiers: {email: email}   # identifier -> column of the model
              fields: {first_name: first_name}

Secrets only come from environment variables: a destination's secret settings are the *names* of variables
(`..._env`), never values (dbt would write a rendered value into target/manifest.json). Every problem found is
reported at once, each naming the file, the sync and the field.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from activation.destinations import available_destinations
from activation.destinations.base import IDENTIFIERS, MODES, Destination, DestinationSettings
from activation.errors import ConfigurationError, SyncConfigurationError, WarehouseBuildError
from activation.syncs.delivery import RetryPolicy

logger = logging.getLogger(__name__)

META_KEY = "activation"
COLUMN_PATTERN = r"^[A-Za-z_][A-Za-z0-9_]*$"
NAME_PATTERN = r"^[a-z][a-z0-9_]*$"


@dataclass(frozen=True)
class ProjectSettings:
    """Project-wide activation settings: dbt vars of dbt_project.yml (see its comments)."""

    state_schema: str = "activation"
    consent_model: str | None = "dim_customers"
    consent_key_column: str = "customer_id"
    consent_column_pattern: str = "has_{channel}_consent"
    erased_column: str | None = "is_erased"

    @classmethod
    def from_project(cls, project_dir: Path) -> ProjectSettings:
        """The `cdp_activation_*` vars (literal values: they are read without dbt's Jinja)."""
        path = project_dir / "dbt_project.yml"
        try:
            project = yaml.safe_load(path.read_text()) or {}
        except (OSError, yaml.YAMLError) as error:
            raise ConfigurationError(f"Cannot read {path}: {error}") from error
        variables = dict(project.get("vars") or {})
        project_name = project.get("name")
        if isinstance(variables.get(project_name), dict):
            variables.update(variables[project_name])
        defaults = cls()
        settings = cls(
            state_schema=variables.get("cdp_activation_state_schema", defaults.state_schema),
            consent_model=variables.get("cdp_activation_consent_model", defaults.consent_model),
            consent_key_column=variables.get(
                "cdp_activation_consent_key_column", defaults.consent_key_column
            ),
            consent_column_pattern=variables.get(
                "cdp_activation_consent_column_pattern", defaults.consent_column_pattern
            ),
            erased_column=variables.get("cdp_activation_erased_column", defaults.erased_column),
        )
        if "{channel}" not in settings.consent_column_pattern:
            raise ConfigurationError(
                f"{path}: vars.cdp_activation_consent_column_pattern must contain {{channel}}, "
                f"e.g. has_{{channel}}_consent (got {settings.consent_column_pattern!r})"
            )
        return settings


class RetryBlock(BaseModel):
    model_config = ConfigDict(extra="forbid")

    max_attempts: int = Field(6, ge=1, le=50)
    initial_backoff_seconds: float = Field(0.5, gt=0, le=600)
    max_backoff_seconds: float = Field(60.0, gt=0, le=3600)
    max_retry_after_seconds: float = Field(900.0, ge=0, le=86400)


class ActivationBlock(BaseModel):
    """The `meta.activation` block of an exposure."""

    model_config = ConfigDict(extra="forbid")

    destination: dict[str, Any]
    mode: Literal["upsert", "mirror", "add_only", "update_only"] = "upsert"
    key: str = Field("customer_id", pattern=COLUMN_PATTERN)
    holdout_column: str | None = Field("is_holdout", pattern=COLUMN_PATTERN)
    identifiers: dict[str, str] = Field(default_factory=dict)
    fields: dict[str, str] = Field(default_factory=dict)
    consent_channel: str | None = Field(None, pattern=r"^(none|[a-z][a-z0-9_]*)$")
    batch_size: int | None = Field(None, ge=1)
    max_concurrency: int | None = Field(None, ge=1, le=64)
    requests_per_second: float | None = Field(None, gt=0)
    request_timeout_seconds: float = Field(60.0, gt=0, le=3600)
    retry: RetryBlock = Field(default_factory=RetryBlock)
    # After this many batches in a row fail, the run stops (the destination is down, not one bad batch).
    max_consecutive_failed_batches: int = Field(3, ge=1)
    enabled: bool = True


@dataclass(frozen=True)
class SyncConfig:
    """One checked sync, with its model resolved to a relation by dbt."""

    name: str
    source_file: str
    description: str
    model: str
    relation: str
    adapter_type: str
    destination_class: type[Destination]
    destination_settings: DestinationSettings
    mode: str
    key_column: str
    holdout_column: str | None
    identifiers: dict[str, str]
    fields: dict[str, str]
    consent_channel: str | None
    consent_relation: str | None
    consent_key_column: str
    consent_column: str | None
    erased_column: str | None
    batch_size: int
    max_concurrency: int
    requests_per_second: float | None
    request_timeout_seconds: float
    retry: RetryPolicy
    max_consecutive_failed_batches: int
    enabled: bool = True
    raw: dict[str, Any] = field(default_factory=dict, repr=False, compare=False)

    @property
    def destination_type(self) -> str:
        return self.destination_class.type_name

    @property
    def mapped_columns(self) -> dict[str, str]:
        """Payload name -> column, identifiers first (the order of every payload)."""
        return {**self.identifiers, **self.fields}

    @property
    def fingerprint(self) -> str:
        """Changes whenever what is sent for the same row would change (mapping, destination settings), so a
        new mapping re-sends everything instead of leaving the destination with old payloads."""
        material = {
            "destination": self.destination_type,
            "settings": self.destination_settings.model_dump(mode="json"),
            "identifiers": self.identifiers,
            "fields": self.fields,
            "key": self.key_column,
        }
        return hashlib.sha256(json.dumps(material, sort_keys=True).encode()).hexdigest()[:16]


@dataclass
class SyncCatalog:
    """Every sync of the project, by name, plus what was needed to find them."""

    syncs: dict[str, SyncConfig]
    project: ProjectSettings
    adapter_type: str

    def select(self, names: list[str], select_all: bool) -> list[SyncConfig]:
        if select_all:
            chosen = [sync for sync in self.syncs.values() if sync.enabled]
            if not chosen:
                raise ConfigurationError("No enabled sync in the project (exposures with meta.activation).")
            return chosen
        if not names:
            raise ConfigurationError("Name a sync, or pass --all.")
        unknown = [name for name in names if name not in self.syncs]
        if unknown:
            known = ", ".join(sorted(self.syncs)) or "none"
            raise ConfigurationError(f"Unknown sync {', '.join(unknown)}: the project has {known}.")
        return [self.syncs[name] for name in names]


def _problem(source_file: str, sync: str, path: str, message: str) -> str:
    return (
        f"{source_file}: sync '{sync}': {path}: {message}"
        if path
        else f"{source_file}: sync '{sync}': {message}"
    )


def _pydantic_problems(error: ValidationError, prefix: str) -> list[tuple[str, str]]:
    problems = []
    for item in error.errors():
        location = ".".join(str(part) for part in item["loc"])
        # Only the message: pydantic's own rendering quotes the input value, which may be a secret.
        problems.append((f"{prefix}{location}" if location else prefix.rstrip("."), item["msg"]))
    return problems


def _destination_problems(
    destination: dict[str, Any], types: dict[str, type[Destination]]
) -> tuple[type[Destination] | None, DestinationSettings | None, list[tuple[str, str]]]:
    type_name = destination.get("type")
    if not type_name:
        return None, None, [("destination.type", f"missing; available: {', '.join(sorted(types))}")]
    if type_name not in types:
        return (
            None,
            None,
            [("destination.type", f"unknown {type_name!r}; available: {', '.join(sorted(types))}")],
        )
    destination_class = types[type_name]
    values = {key: value for key, value in destination.items() if key != "type"}
    problems: list[tuple[str, str]] = []
    known_fields = destination_class.Settings.model_fields
    for key in list(values):
        if key not in known_fields and f"{key}_env" in known_fields:
            problems.append(
                (
                    f"destination.{key}",
                    f"secrets come only from environment variables: set {key}_env to the variable's name",
                )
            )
            values.pop(key)
    try:
        settings = destination_class.Settings.model_validate(values)
    except ValidationError as error:
        return destination_class, None, problems + _pydantic_problems(error, "destination.")
    return destination_class, settings, problems


def _mapping_problems(block: ActivationBlock, destination_class: type[Destination]) -> list[tuple[str, str]]:
    problems: list[tuple[str, str]] = []
    for name, column in block.identifiers.items():
        if name not in IDENTIFIERS:
            problems.append((f"identifiers.{name}", f"unknown identifier; known: {', '.join(IDENTIFIERS)}"))
        if not isinstance(column, str) or not _is_column(column):
            problems.append((f"identifiers.{name}", f"expected a column name, got {column!r}"))
    for name, column in block.fields.items():
        if not _is_column(name):
            problems.append((f"fields.{name}", "field names are letters, digits and _"))
        if name in block.identifiers:
            problems.append((f"fields.{name}", "also an identifier: payload names must be unique"))
        if not isinstance(column, str) or not _is_column(column):
            problems.append((f"fields.{name}", f"expected a column name, got {column!r}"))
    if block.mode not in destination_class.supported_modes:
        problems.append(
            (
                "mode",
                f"{destination_class.type_name} supports {', '.join(destination_class.supported_modes)}",
            )
        )
    if block.batch_size is not None and block.batch_size > destination_class.max_batch_size:
        problems.append(
            ("batch_size", f"{destination_class.type_name} takes at most {destination_class.max_batch_size}")
        )
    return problems


def _is_column(name: object) -> bool:
    return isinstance(name, str) and re.match(COLUMN_PATTERN, name) is not None


def syncs_from_manifest(manifest: dict[str, Any], project: ProjectSettings) -> SyncCatalog:
    """Every exposure with `meta.activation`, checked; raises SyncConfigurationError listing every problem."""
    types = available_destinations()
    adapter_type = manifest.get("metadata", {}).get("adapter_type", "")
    nodes = manifest.get("nodes", {})
    models_by_name = {node["name"]: node for node in nodes.values() if node.get("resource_type") == "model"}
    consent_node = models_by_name.get(project.consent_model) if project.consent_model else None
    syncs: dict[str, SyncConfig] = {}
    problems: list[str] = []
    for exposure in sorted(manifest.get("exposures", {}).values(), key=lambda item: item["name"]):
        meta = (exposure.get("config") or {}).get("meta") or exposure.get("meta") or {}
        if META_KEY not in meta:
            continue
        name = exposure["name"]
        source_file = exposure.get("original_file_path", "?")
        sync_problems: list[tuple[str, str]] = []

        def report(path: str, message: str, name: str = name, source_file: str = source_file) -> None:
            problems.append(_problem(source_file, name, path, message))

        if not re.match(NAME_PATTERN, name):
            report("name", "sync names are lower-case letters, digits and _ (they name state rows and files)")
        raw = meta[META_KEY]
        if not isinstance(raw, dict):
            report("meta.activation", "expected a mapping")
            continue
        try:
            block = ActivationBlock.model_validate(raw)
        except ValidationError as error:
            for path, message in _pydantic_problems(error, ""):
                report(path, message)
            continue
        destination_class, settings, destination_problems = _destination_problems(block.destination, types)
        sync_problems += destination_problems
        model_nodes = [
            node_id for node_id in exposure.get("depends_on", {}).get("nodes", []) if node_id in nodes
        ]
        model_nodes = [node_id for node_id in model_nodes if nodes[node_id].get("resource_type") == "model"]
        if len(model_nodes) != 1:
            sync_problems.append(("depends_on", f"a sync reads exactly one model; found {len(model_nodes)}"))
        if destination_class is not None:
            sync_problems += _mapping_problems(block, destination_class)
            if settings is not None:
                sync_problems += destination_class.check_sync(settings, block.identifiers, block.fields)
        consent_channel: str | None = None
        if destination_class is not None and settings is not None:
            consent_channel = destination_class.consent_channel(settings)
            if block.consent_channel is not None:
                consent_channel = None if block.consent_channel == "none" else block.consent_channel
        needs_consent_model = consent_channel is not None or project.erased_column is not None
        if needs_consent_model and project.consent_model and consent_node is None:
            sync_problems.append(
                (
                    "consent_channel",
                    f"the consent model {project.consent_model!r} (var cdp_activation_consent_model) is not "
                    "a model of this project",
                )
            )
        if consent_channel is not None and not project.consent_model:
            sync_problems.append(
                (
                    "consent_channel",
                    f"needs {consent_channel!r} consent but vars.cdp_activation_consent_model is null",
                )
            )
        for path, message in sync_problems:
            report(path, message)
        if sync_problems or destination_class is None or settings is None:
            continue
        model_node = nodes[model_nodes[0]]
        syncs[name] = SyncConfig(
            name=name,
            source_file=source_file,
            description=exposure.get("description", ""),
            model=model_node["name"],
            relation=model_node["relation_name"],
            adapter_type=adapter_type,
            destination_class=destination_class,
            destination_settings=settings,
            mode=block.mode,
            key_column=block.key,
            holdout_column=block.holdout_column,
            identifiers=dict(block.identifiers),
            fields=dict(block.fields),
            consent_channel=consent_channel,
            consent_relation=consent_node["relation_name"] if consent_node is not None else None,
            consent_key_column=project.consent_key_column,
            consent_column=(
                project.consent_column_pattern.format(channel=consent_channel) if consent_channel else None
            ),
            erased_column=project.erased_column if consent_node is not None else None,
            batch_size=block.batch_size or destination_class.default_batch_size,
            max_concurrency=block.max_concurrency or destination_class.default_max_concurrency,
            requests_per_second=block.requests_per_second or destination_class.default_requests_per_second,
            request_timeout_seconds=block.request_timeout_seconds,
            retry=RetryPolicy(**block.retry.model_dump()),
            max_consecutive_failed_batches=block.max_consecutive_failed_batches,
            enabled=block.enabled,
            raw=raw,
        )
    if problems:
        raise SyncConfigurationError(problems)
    return SyncCatalog(syncs=syncs, project=project, adapter_type=adapter_type)


def target_path(project_dir: Path) -> Path:
    configured = os.environ.get("DBT_TARGET_PATH")
    path = Path(configured) if configured else project_dir / "target"
    return path if path.is_absolute() else project_dir / path


def parse_manifest(project_dir: Path, target: str) -> dict[str, Any]:
    """`dbt parse` (partial parsing makes it quick after the first time), then its manifest.json."""
    from dbt.cli.main import dbtRunner

    os.environ.setdefault("DBT_PROFILES_DIR", str(project_dir))
    result = dbtRunner().invoke(["parse", "--quiet", "--project-dir", str(project_dir), "--target", target])
    if not result.success:
        raise WarehouseBuildError("parse", [str(result.exception)] if result.exception else [])
    return read_manifest(target_path(project_dir) / "manifest.json")


def read_manifest(path: Path) -> dict[str, Any]:
    try:
        return json.loads(path.read_text())
    except OSError as error:
        raise ConfigurationError(f"Cannot read the dbt manifest {path}: {error.strerror}") from error
    except json.JSONDecodeError as error:
        raise ConfigurationError(f"{path} is not a dbt manifest: {error}") from error


def load_catalog(project_dir: Path, target: str, manifest_path: Path | None = None) -> SyncCatalog:
    """The project's syncs: from `manifest_path` when given (`dbt build` just wrote one), else `dbt parse`."""
    manifest = read_manifest(manifest_path) if manifest_path else parse_manifest(project_dir, target)
    return syncs_from_manifest(manifest, ProjectSettings.from_project(project_dir))


__all__ = [
    "MODES",
    "ProjectSettings",
    "SyncCatalog",
    "SyncConfig",
    "load_catalog",
    "syncs_from_manifest",
]
