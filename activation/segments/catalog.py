"""The columns segments can use, read from the dbt project's own YAML at compile time.

Traits are the documented columns of the Customer 360 model (and of the predictions model), with the type its
contract or `data_type` declares: nothing here lists Customer 360 columns, so a trait added to
`dim_customers` can be used by a segment as soon as it is documented with its type.
"""

from __future__ import annotations

import logging
import re
from pathlib import Path

import yaml

from activation.segments.model import Column, ModelColumns, ValueType

logger = logging.getLogger(__name__)

# libyaml's loader when PyYAML has it: the project's YAML is large and the pure-Python loader slow.
_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

# Generated SQL writes model and column names as they are: only plain lower-case identifiers are usable.
_IDENTIFIER = re.compile(r"[a-z_][a-z0-9_]{0,62}")

_TYPE_PATTERNS: tuple[tuple[str, ValueType], ...] = (
    (r"(var)?char\b.*|character( varying)?\b.*|string|text", ValueType.STRING),
    (r"(tiny|small|big)?int(eger)?\d*|long|short|byte", ValueType.NUMBER),
    (r"(decimal|numeric|number)\b.*|double( precision)?|float\d*|real", ValueType.NUMBER),
    (r"bool(ean)?", ValueType.BOOLEAN),
    (r"date", ValueType.DATE),
    (r"(timestamp|datetime)\b.*|timestamptz", ValueType.TIMESTAMP),
)


def value_type_of(data_type: str | None) -> ValueType | None:
    """The comparison type of a dbt data_type ('bigint', 'decimal(18,2)', 'timestamp'), None if unknown."""
    if not data_type:
        return None
    normalized = " ".join(str(data_type).strip().lower().split())
    for pattern, value_type in _TYPE_PATTERNS:
        if re.fullmatch(pattern, normalized):
            return value_type
    return None


def _is_pii(column: dict) -> bool:
    meta = column.get("meta") or {}
    config_meta = (column.get("config") or {}).get("meta") or {}
    tags = [*(column.get("tags") or []), *((column.get("config") or {}).get("tags") or [])]
    return bool(meta.get("pii") or config_meta.get("pii") or "pii" in tags)


def load_model_columns(project_dir: Path, skip_dirs: tuple[Path, ...] = ()) -> dict[str, ModelColumns]:
    """Every model documented in a YAML file under models/, by name, with its columns."""
    models_dir = project_dir / "models"
    documented: dict[str, ModelColumns] = {}
    for yaml_path in sorted([*models_dir.rglob("*.yml"), *models_dir.rglob("*.yaml")]):
        if any(yaml_path.is_relative_to(skip) for skip in skip_dirs):
            continue
        try:
            content = yaml.load(yaml_path.read_text(encoding="utf-8"), Loader=_LOADER)
        except yaml.YAMLError as error:
            logger.warning("Skipping unreadable YAML %s: %s", yaml_path, error)
            continue
        if not isinstance(content, dict):
            continue
        for entry in content.get("models") or []:
            if not isinstance(entry, dict) or not isinstance(entry.get("name"), str):
                continue
            if not _IDENTIFIER.fullmatch(entry["name"]):
                logger.warning(
                    "Model %s (%s) is not a plain identifier: segments cannot use it",
                    entry["name"],
                    yaml_path,
                )
                continue
            columns: dict[str, Column] = {}
            for column in entry.get("columns") or []:
                if not isinstance(column, dict) or not isinstance(column.get("name"), str):
                    continue
                name = column["name"].lower()
                if not _IDENTIFIER.fullmatch(name):
                    logger.warning(
                        "Column %s of %s is not a plain identifier: segments cannot use it",
                        name,
                        entry["name"],
                    )
                    continue
                data_type = column.get("data_type")
                columns[name] = Column(
                    name=name,
                    value_type=value_type_of(data_type),
                    data_type=str(data_type) if data_type is not None else None,
                    description=str(column.get("description") or "").strip(),
                    is_pii=_is_pii(column),
                )
            documented[entry["name"]] = ModelColumns(
                model=entry["name"], yaml_path=yaml_path.relative_to(project_dir), columns=columns
            )
    return documented
