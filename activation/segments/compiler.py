"""`activation segments compile`: segment definitions -> dbt models under models/segments/audiences/.

The compiler owns that directory: every file in it is generated (and says so in its first line), files of
segments that no longer exist are removed, and `check_in_sync` tells whether the committed files are what the
definitions give (a test runs it, so a definition is never changed without its model).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path

import yaml

from activation.errors import ConfigurationError
from activation.segments.definitions import GENERATED_DIR, SegmentProject, load_project
from activation.segments.model import OutputColumn, Segment, Settings
from activation.segments.sql import (
    MEMBERS_MODEL,
    REFERENCE_DATE_MODEL,
    SUPPRESSIONS_MODEL,
    members_model_sql,
    reference_date_model_sql,
    segment_model_sql,
    suppressions_model_sql,
)

logger = logging.getLogger(__name__)

YAML_FILE = "_audiences__models.yml"
YAML_HEADER = (
    "# Generated from segments/*.yml by `activation segments compile`: do not edit (edit the definitions,\n"
    "# then recompile).\n"
)


def _column_doc(settings: Settings, output: OutputColumn) -> dict:
    # Points at the source column rather than copying its text: a documentation edit in the Customer 360
    # must not make every generated file stale.
    model = settings.customer_model.model if output.source == "trait" else settings.prediction_model_name
    doc: dict = {"name": output.alias, "description": f"{model}.{output.column.name} (documented there)."}
    if output.column.data_type:
        doc["data_type"] = output.column.data_type
    if output.column.is_pii:
        doc["meta"] = {"pii": True}
    return doc


def _segment_doc(settings: Settings, segment: Segment) -> dict:
    holdout = (
        f"{segment.holdout_percent.normalize():f} % holdout" if segment.holdout_percent else "no holdout"
    )
    extra = "; existing customers excluded" if segment.exclude_existing_customers else ""
    customer_ref = f"ref('{settings.customer_model.model}')"
    return {
        "name": segment.model_name,
        "description": (
            f"{segment.description} Channel: {segment.channel}; {holdout}{extra}; owner: {segment.owner}. "
            f"Generated from {segment.source_file}: one row per member after suppression, holdout members "
            "flagged (is_holdout) and never sent."
        ),
        "config": {
            "tags": ["segment"],
            "meta": {
                "segment": {
                    "name": segment.name,
                    "owner": segment.owner,
                    "channel": segment.channel,
                    "holdout_percent": float(segment.holdout_percent),
                    "exclude_existing_customers": segment.exclude_existing_customers,
                    "source_file": segment.source_file,
                    "depends_on": list(segment.depends_on),
                }
            },
        },
        "data_tests": [
            {
                "cdp.segment_members_eligible": {
                    "arguments": {
                        "customers": customer_ref,
                        "suppressions": f"ref('{SUPPRESSIONS_MODEL}')",
                        "erased_column": settings.erased_column,
                        "consent_column": settings.consent_columns[segment.channel],
                        "exclude_existing_customers": segment.exclude_existing_customers,
                    }
                }
            }
        ],
        "columns": [
            {
                "name": "customer_id",
                "description": "{{ doc('customer_id') }}",
                "data_tests": [
                    "unique",
                    "not_null",
                    {"relationships": {"arguments": {"to": customer_ref, "field": "customer_id"}}},
                ],
            },
            {
                "name": "is_holdout",
                "description": (
                    "The member is in the segment's control group (a stable hash of customer_id and the "
                    "segment name): kept for measuring incrementality, never sent to a destination."
                ),
                "data_tests": ["not_null"],
            },
            *[_column_doc(settings, output) for output in segment.outputs],
        ],
    }


def models_yaml(settings: Settings, segments: list[Segment]) -> str:
    customer_ref = f"ref('{settings.customer_model.model}')"
    consent_columns = [
        {
            "name": f"has_{channel}_consent",
            "description": f"The customer may be contacted by {channel} ({column}).",
            "data_tests": ["not_null"],
        }
        for channel, column in settings.consent_columns.items()
    ]
    models = [
        {
            "name": REFERENCE_DATE_MODEL,
            "description": (
                f"The as-of date of the Customer 360 ({settings.customer_model.model}."
                f"{settings.reference_date_column}), one row: relative dates and behaviour windows of every "
                f"segment count back from it. Generated from {settings.source_file}."
            ),
            "columns": [
                {
                    "name": "as_of_date",
                    "description": "The day segments are computed as of.",
                    "data_tests": ["not_null"],
                }
            ],
        },
        {
            "name": SUPPRESSIONS_MODEL,
            "description": (
                "One row per customer with every reason segments leave them out (applied to every segment "
                "automatically) and their consent per channel. Generated from "
                f"{settings.source_file}; a customer is suppressed from a segment when erased, without "
                "consent for its channel, an internal or test account, on the global suppression list, or "
                "(segments with exclude_existing_customers) an existing customer."
            ),
            "columns": [
                {
                    "name": "customer_id",
                    "description": "{{ doc('customer_id') }}",
                    "data_tests": [
                        "unique",
                        "not_null",
                        {"relationships": {"arguments": {"to": customer_ref, "field": "customer_id"}}},
                    ],
                },
                {
                    "name": "is_erased",
                    "description": "The customer asked to be forgotten.",
                    "data_tests": ["not_null"],
                },
                *consent_columns,
                {
                    "name": "is_internal_account",
                    "description": (
                        "An internal or test account (global suppression list reason internal_account, or "
                        f"internal_accounts in {settings.source_file})."
                    ),
                    "data_tests": ["not_null"],
                },
                {
                    "name": "is_existing_customer",
                    "description": f"An existing customer (existing_customers in {settings.source_file}).",
                    "data_tests": ["not_null"],
                },
                {
                    "name": "is_globally_suppressed",
                    "description": "On the global suppression list (segment_global_suppressions).",
                    "data_tests": ["not_null"],
                },
                {
                    "name": "global_suppression_reasons",
                    "description": "Why the list suppresses the customer (its reasons, comma-separated).",
                },
            ],
        },
        {
            "name": MEMBERS_MODEL,
            "description": (
                "Every segment's members, one row per (segment, customer), holdout members included: what "
                "segment_membership_history tracks between runs. Generated from segments/*.yml."
            ),
            "data_tests": [
                {
                    "cdp.unique_combination_of_columns": {
                        "arguments": {"combination_of_columns": ["segment_name", "customer_id"]}
                    }
                }
            ],
            "columns": [
                {
                    "name": "segment_name",
                    "description": "The segment (its definition file's name).",
                    "data_tests": ["not_null"]
                    + (
                        [
                            {
                                "accepted_values": {
                                    "arguments": {"values": [segment.name for segment in segments]}
                                }
                            }
                        ]
                        if segments
                        else []
                    ),
                },
                {
                    "name": "channel",
                    "description": "The channel the segment is meant for.",
                    "data_tests": ["not_null"],
                },
                {
                    "name": "customer_id",
                    "description": "{{ doc('customer_id') }}",
                    "data_tests": ["not_null"],
                },
                {
                    "name": "is_holdout",
                    "description": "In the segment's control group.",
                    "data_tests": ["not_null"],
                },
                {"name": "as_of_date", "description": "The Customer 360 as-of date of this build."},
            ],
        },
        *[_segment_doc(settings, segment) for segment in segments],
    ]
    body = yaml.safe_dump({"version": 2, "models": models}, sort_keys=False, allow_unicode=True, width=110)
    return YAML_HEADER + "\n" + body


@dataclass(frozen=True)
class GeneratedFiles:
    """What the definitions give: relative path (under the project) -> content."""

    files: dict[str, str]


def generate(project: SegmentProject) -> GeneratedFiles:
    settings = project.settings
    segments = list(project.segments)
    directory = GENERATED_DIR.as_posix()
    files = {
        f"{directory}/{REFERENCE_DATE_MODEL}.sql": reference_date_model_sql(settings),
        f"{directory}/{SUPPRESSIONS_MODEL}.sql": suppressions_model_sql(settings),
        f"{directory}/{MEMBERS_MODEL}.sql": members_model_sql(settings, segments),
        f"{directory}/{YAML_FILE}": models_yaml(settings, segments),
    }
    for segment in segments:
        files[f"{directory}/{segment.model_name}.sql"] = segment_model_sql(settings, segment)
    return GeneratedFiles(files)


def _existing_files(project_dir: Path) -> dict[str, str]:
    directory = project_dir / GENERATED_DIR
    if not directory.is_dir():
        return {}
    return {
        path.relative_to(project_dir).as_posix(): path.read_text(encoding="utf-8")
        for path in sorted(directory.iterdir())
        if path.is_file()
    }


@dataclass(frozen=True)
class SyncReport:
    """Differences between the generated directory and what the definitions give."""

    missing: list[str]
    stale: list[str]
    changed: list[str]

    @property
    def in_sync(self) -> bool:
        return not (self.missing or self.stale or self.changed)

    def describe(self) -> str:
        lines = [f"  missing: {path}" for path in self.missing]
        lines += [f"  not generated by any definition: {path}" for path in self.stale]
        lines += [f"  differs from its definition: {path}" for path in self.changed]
        return "\n".join(lines)


def check_in_sync(project_dir: Path) -> SyncReport:
    expected = generate(load_project(project_dir)).files
    existing = _existing_files(project_dir)
    return SyncReport(
        missing=sorted(set(expected) - set(existing)),
        stale=sorted(set(existing) - set(expected)),
        changed=sorted(path for path in expected if path in existing and existing[path] != expected[path]),
    )


def compile_segments(project_dir: Path) -> tuple[SegmentProject, SyncReport]:
    """Check every definition, then write the generated models; returns what changed."""
    project = load_project(project_dir)
    expected = generate(project).files
    existing = _existing_files(project_dir)
    directory = project_dir / GENERATED_DIR
    directory.mkdir(parents=True, exist_ok=True)
    for relative in set(existing) - set(expected):
        path = project_dir / relative
        if not existing[relative].startswith(("{#- Generated from", "# Generated from")):
            raise ConfigurationError(
                f"{relative} is in the generated directory {GENERATED_DIR} but was not generated: move it "
                "out (the compiler owns that directory)"
            )
        path.unlink()
        logger.info("Removed %s (no definition generates it)", relative)
    for relative, content in expected.items():
        if existing.get(relative) != content:
            (project_dir / relative).write_text(content, encoding="utf-8")
            logger.info("Wrote %s", relative)
    report = SyncReport(
        missing=sorted(set(expected) - set(existing)),
        stale=sorted(set(existing) - set(expected)),
        changed=sorted(path for path in expected if path in existing and existing[path] != expected[path]),
    )
    return project, report
