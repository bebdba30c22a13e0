"""The segment builder's server side: what it may pick, checking and previewing a draft, saving it.

Everything goes through the segment package: a draft is checked by the same parser as segments/*.yml
(`parse_segment`: its problems carry the field path the builder shows them next to), computed by the same
preview query as `activation segments preview`, and saved as the YAML a person writes
(`activation.segments.writer`), then compiled into its dbt model like `activation segments compile`.
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

import yaml

from activation.errors import SegmentDefinitionError
from activation.segments.compiler import compile_segments
from activation.segments.definitions import (
    OPERATORS_BY_TYPE,
    RELATIVE_DATE_OPERATORS,
    SEGMENT_NAME_PATTERN,
    SEGMENTS_DIR,
    SegmentProject,
    _DefinitionLoader,
    find_cycles,
    load_project,
    parse_segment,
)
from activation.segments.model import ModelColumns, Problems, Segment
from activation.segments.preview import QueryRunner, mask_value, preview_definition
from activation.segments.writer import definition_yaml

logger = logging.getLogger(__name__)


def _columns(model: ModelColumns | None, built: set[str] | None) -> list[dict[str, Any]]:
    """Documented columns the compiler can compare (typed) that the built model really has."""
    if model is None:
        return []
    return [
        {
            "name": column.name,
            "type": column.value_type.value,
            "description": column.description,
            "pii": column.is_pii,
        }
        for column in sorted(model.columns.values(), key=lambda item: item.name)
        if column.value_type is not None and (built is None or column.name in built)
    ]


def builder_catalog(
    project: SegmentProject,
    built_customer_columns: set[str] | None,
    built_prediction_columns: set[str] | None,
) -> dict[str, Any]:
    """The lists the builder offers, from the Customer 360 schema (documented types, intersected with the
    columns the warehouse has) and the segment settings."""
    settings = project.settings
    return {
        "traits": _columns(settings.customer_model, built_customer_columns),
        "predictions": _columns(settings.prediction_model, built_prediction_columns),
        "channels": list(settings.channels),
        "segments": [segment.name for segment in project.segments],
        "behaviours": {
            name: {
                "description": source.description,
                "properties": [
                    {"name": column.name, "type": column.value_type.value}
                    for column in source.properties.values()
                    if column.value_type is not None
                ],
            }
            for name, source in sorted(settings.behaviours.items())
        },
        "operators": {value_type.value: list(ops) for value_type, ops in OPERATORS_BY_TYPE.items()},
        "relative_operators": list(RELATIVE_DATE_OPERATORS),
    }


def _json_safe(value: Any) -> Any:
    if isinstance(value, dict):
        return {str(key): _json_safe(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_json_safe(item) for item in value]
    if isinstance(value, dt.date | dt.datetime):
        return value.isoformat()
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    return value


def read_definition(project_dir: Path, name: str) -> dict[str, Any]:
    """A saved definition as the builder edits it (the mapping its YAML holds)."""
    if not SEGMENT_NAME_PATTERN.fullmatch(name):
        raise SegmentDefinitionError([f"not a segment name: {name!r}"])
    path = project_dir / SEGMENTS_DIR / f"{name}.yml"
    if not path.is_file():
        raise SegmentDefinitionError([f"{SEGMENTS_DIR}/{name}.yml does not exist"])
    content = yaml.load(path.read_text(encoding="utf-8"), Loader=_DefinitionLoader)
    if isinstance(content, dict) and isinstance(content.get("description"), str):
        content["description"] = content["description"].strip()
    return _json_safe(content)


@dataclass
class Checked:
    segment: Segment | None
    problems: list[dict[str, str]]


def check_definition(project: SegmentProject, definition: Any) -> Checked:
    """A draft checked as if it were segments/<its name>.yml beside the saved ones."""
    problems = Problems()
    name = definition.get("name") if isinstance(definition, dict) else None
    if not isinstance(name, str) or not SEGMENT_NAME_PATTERN.fullmatch(name):
        return Checked(
            None,
            [
                {
                    "path": "name",
                    "message": "a segment name is lower-case letters, digits and _ (starting with a letter, "
                    "at most 59 characters)",
                }
            ],
        )
    names = frozenset({segment.name for segment in project.segments} | {name})
    relative = f"{SEGMENTS_DIR}/{name}.yml"
    segment = parse_segment(definition, relative, name, project.settings, names, problems)
    if segment is not None:
        segments = {item.name: item for item in project.segments}
        segments[name] = segment
        find_cycles(segments, problems)
    found = [{"path": problem.path, "message": problem.message} for problem in problems.items]
    return Checked(None if found else segment, found)


def preview(
    project: SegmentProject, segment: Segment, run: QueryRunner, sample_size: int, show_pii: bool
) -> dict[str, Any]:
    """Size, suppression and a masked sample of a checked draft: the preview query of the CLI."""
    segments = {item.name: item for item in project.segments}
    result = preview_definition(
        project.settings, segments, segment, run, sample_size, show_pii, include_overlaps=False
    )
    # The sample's customer id is pseudonymous; every other column the definition outputs is shown only
    # when it is not personal, unless the app was started with --show-pii.
    return {
        "member_count": result.member_count,
        "holdout_count": result.holdout_count,
        "matched_count": result.matched_count,
        "suppressed_count": result.suppressed_count,
        "suppressed": result.suppressed,
        "as_of_date": str(result.as_of_date),
        "sample": {
            "columns": result.sample.columns,
            "rows": [[_display(value) for value in row] for row in result.sample.rows],
        },
        "masked_columns": result.masked_columns,
    }


def _display(value: Any) -> Any:
    if value is None or isinstance(value, bool | int | float | str):
        return value
    return str(value)


def save_definition(project_dir: Path, definition: dict[str, Any], replaces: str | None) -> tuple[str, Path]:
    """Write a checked draft as segments/<name>.yml and compile the segment models; returns the YAML written.

    `replaces` is the name the draft was opened under: renaming removes the old file, and a new draft never
    overwrites another segment's file.
    """
    project = load_project(project_dir)
    checked = check_definition(project, definition)
    if checked.segment is None:
        raise SegmentDefinitionError([f"{item['path']}: {item['message']}" for item in checked.problems])
    name = checked.segment.name
    path = project_dir / SEGMENTS_DIR / f"{name}.yml"
    if path.exists() and replaces != name:
        raise SegmentDefinitionError([f"name: segment '{name}' already exists (open it to edit it)"])
    text = definition_yaml(definition)
    path.write_text(text, encoding="utf-8")
    if replaces and replaces != name:
        old = project_dir / SEGMENTS_DIR / f"{replaces}.yml"
        if old.is_file():
            old.unlink()
    try:
        compile_segments(project_dir)
    except SegmentDefinitionError:
        # A rename can break a segment that referred to the old name: the user sees why, the file stays.
        logger.warning("Saved %s, but the segments no longer compile", path.name)
        raise
    logger.info("Saved segment %s", name)
    return text, path


__all__ = [
    "Checked",
    "builder_catalog",
    "check_definition",
    "mask_value",
    "preview",
    "read_definition",
    "save_definition",
]
