"""Reading and checking segment definitions (segments/*.yml) and their settings (segments/_settings.yml).

Everything is checked before any SQL is written: unknown traits, predictions, properties, behaviours and
segments; operators that do not apply to a column's type; values of the wrong type or shape; membership
cycles. Every problem of every file is collected and reported together, each naming the file, the segment
and the field path (`conditions.all[1].operator`), so one run shows everything to fix.
"""

from __future__ import annotations

import datetime as dt
import difflib
import logging
import math
import re
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

import yaml

from activation.errors import SegmentDefinitionError
from activation.segments.catalog import load_model_columns
from activation.segments.literals import has_control_characters
from activation.segments.model import (
    AllOf,
    AnyOf,
    BehaviourCondition,
    BehaviourSource,
    Column,
    Comparison,
    Condition,
    ConsentCondition,
    Duration,
    MembershipCondition,
    ModelColumns,
    NotCondition,
    OutputColumn,
    Problems,
    Segment,
    Settings,
    ValueType,
)

logger = logging.getLogger(__name__)

SEGMENTS_DIR = "segments"
SETTINGS_FILE = "_settings.yml"
GENERATED_DIR = Path("models") / "segments" / "audiences"

# seg_<name> must fit PostgreSQL's 63-character identifiers.
SEGMENT_NAME_PATTERN = re.compile(r"[a-z][a-z0-9_]{0,58}")
IDENTIFIER_PATTERN = re.compile(r"[a-z_][a-z0-9_]{0,62}")
JINJA_DELIMITERS = ("{{", "{%", "{#")

COMPARISON_OPERATORS = ("=", "!=", "<", "<=", ">", ">=")
RELATIVE_DATE_OPERATORS = ("within last", "within next", "more than ago")
NULL_OPERATORS = ("is null", "is not null")
TEMPORAL_OPERATORS = (*COMPARISON_OPERATORS, "between", *NULL_OPERATORS, *RELATIVE_DATE_OPERATORS)
OPERATORS_BY_TYPE: dict[ValueType, tuple[str, ...]] = {
    ValueType.STRING: ("=", "!=", "in", "not in", *NULL_OPERATORS, "contains", "starts with"),
    ValueType.NUMBER: (*COMPARISON_OPERATORS, "between", "in", "not in", *NULL_OPERATORS),
    ValueType.BOOLEAN: ("=", "!=", *NULL_OPERATORS),
    ValueType.DATE: TEMPORAL_OPERATORS,
    ValueType.TIMESTAMP: TEMPORAL_OPERATORS,
}
ALL_OPERATORS = tuple(dict.fromkeys(op for ops in OPERATORS_BY_TYPE.values() for op in ops))
MAX_IN_VALUES = 1000

_DURATION_PATTERN = re.compile(r"\s*(\d+)\s*(day|days|week|weeks|month|months|year|years)\s*", re.IGNORECASE)
_LOGICAL_KEYS = ("all", "any", "not")
_LEAF_KEYS = {
    "trait": ("operator", "value"),
    "prediction": ("operator", "value"),
    "property": ("operator", "value"),
    "consent": (),
    "in_segment": (),
    "performed": ("where", "at_least", "at_most", "within"),
    "did_not_perform": ("where", "within"),
}
SEGMENT_KEYS = {
    "name": True,
    "description": True,
    "owner": True,
    "channel": True,
    "conditions": True,
    "output": False,
    "holdout_percent": False,
    "exclude_existing_customers": False,
}


class _DefinitionLoader(yaml.SafeLoader):
    """Safe YAML, with `=` read as text (PyYAML's YAML 1.1 reads a bare `=` as a special 'value' tag) and
    duplicate keys refused (the second would silently win)."""


_DefinitionLoader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:value"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


def _construct_mapping_without_duplicates(loader: yaml.SafeLoader, node: yaml.MappingNode) -> dict:
    seen: set[Any] = set()
    for key_node, _ in node.value:
        key = loader.construct_object(key_node, deep=True)
        if key in seen:
            raise yaml.constructor.ConstructorError(None, None, f"duplicate key {key!r}", key_node.start_mark)
        seen.add(key)
    return loader.construct_mapping(node, deep=True)


_DefinitionLoader.add_constructor(
    yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping_without_duplicates
)


def read_yaml(path: Path, relative: str, problems: Problems, segment: str | None) -> Any:
    """A definition file's content, or None (with a problem) when it is not valid YAML."""
    try:
        return yaml.load(path.read_text(encoding="utf-8"), Loader=_DefinitionLoader)
    except yaml.YAMLError as error:
        message = " ".join(re.sub(r'\s+in "<unicode string>",', ",", str(error)).split())
        problems.add(relative, segment, "", f"not valid YAML: {message}")
    except UnicodeDecodeError as error:
        problems.add(relative, segment, "", f"not UTF-8 text: {error}")
    return None


def _suggest(name: str, candidates: Iterable[str]) -> str:
    close = difflib.get_close_matches(name, list(candidates), n=3, cutoff=0.6)
    return f" (did you mean {', '.join(close)}?)" if close else ""


def _type_word(value: Any) -> str:
    if value is None:
        return "nothing (null)"
    if isinstance(value, bool):
        return f"the boolean {str(value).lower()}"
    if isinstance(value, int | float | Decimal):
        return f"the number {value}"
    if isinstance(value, dt.datetime):
        return f"the timestamp {value.isoformat()}"
    if isinstance(value, dt.date):
        return f"the date {value.isoformat()}"
    if isinstance(value, str):
        return f"the text {value!r}"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "a mapping"
    return type(value).__name__


@dataclass
class _Scope:
    """Where problems go, and what a condition may refer to while one file is read."""

    problems: Problems
    file: str
    segment: str | None
    customer: ModelColumns | None = None
    predictions: ModelColumns | None = None
    prediction_model_name: str | None = None
    channels: tuple[str, ...] = ()
    behaviours: dict[str, BehaviourSource] = field(default_factory=dict)
    properties: dict[str, Column] | None = None  # set while reading a behaviour's `where`
    behaviour_name: str | None = None
    segment_names: frozenset[str] = frozenset()
    memberships: list[MembershipCondition] = field(default_factory=list)

    def error(self, path: str, message: str) -> None:
        self.problems.add(self.file, self.segment, path, message)


_INVALID = object()


def _scalar(value: Any, value_type: ValueType, path: str, scope: _Scope) -> Any:
    """`value` checked against `value_type` and normalised, or _INVALID (with a problem)."""
    if value_type is ValueType.STRING:
        if isinstance(value, str):
            if has_control_characters(value):
                scope.error(path, "bad value: control characters (newlines, tabs, ...) are not allowed")
                return _INVALID
            return value
        hint = ""
        if isinstance(value, bool):
            hint = " (YAML reads unquoted yes/no/on/off/true/false as booleans: quote the text)"
        elif isinstance(value, int | float | dt.date):
            hint = f" (quote it: '{value}')"
        scope.error(path, f"bad value: expected text, got {_type_word(value)}{hint}")
        return _INVALID
    if value_type is ValueType.NUMBER:
        if isinstance(value, bool) or not isinstance(value, int | float):
            scope.error(path, f"bad value: expected a number, got {_type_word(value)}")
            return _INVALID
        if isinstance(value, float):
            if not math.isfinite(value):
                scope.error(path, f"bad value: expected a finite number, got {value}")
                return _INVALID
            try:
                return Decimal(repr(value))
            except InvalidOperation:  # pragma: no cover - repr of a finite float is always a decimal
                scope.error(path, f"bad value: {value} is not a decimal number")
                return _INVALID
        return value
    if value_type is ValueType.BOOLEAN:
        if isinstance(value, bool):
            return value
        scope.error(path, f"bad value: expected true or false, got {_type_word(value)}")
        return _INVALID
    if value_type is ValueType.DATE:
        if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
            return value
        if isinstance(value, str) and re.fullmatch(r"\d{4}-\d{2}-\d{2}", value.strip()):
            try:
                return dt.date.fromisoformat(value.strip())
            except ValueError:
                pass
        scope.error(path, f"bad value: expected a date written YYYY-MM-DD, got {_type_word(value)}")
        return _INVALID
    if value_type is ValueType.TIMESTAMP:
        if isinstance(value, dt.datetime | dt.date):
            return value
        if isinstance(value, str) and re.fullmatch(r"\d{4}-\d{2}-\d{2}", value.strip()):
            # A day given for a timestamp: the comparison is on the day (see sql.ConditionSql.comparison).
            try:
                return dt.date.fromisoformat(value.strip())
            except ValueError:
                pass
        if isinstance(value, str) and re.fullmatch(
            r"\d{4}-\d{2}-\d{2}([T ][0-9:.]+(Z|[+-]\d{2}:?\d{2})?)?", value
        ):
            try:
                return dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
            except ValueError:
                pass
        scope.error(
            path, f"bad value: expected a date or timestamp (YYYY-MM-DD[ HH:MM:SS]), got {_type_word(value)}"
        )
        return _INVALID
    raise AssertionError(value_type)  # pragma: no cover


def parse_duration(value: Any, path: str, scope: _Scope) -> Duration | None:
    """'30 days', '2 weeks', '6 months', '1 year' -> Duration (weeks as days, years as months)."""
    match = _DURATION_PATTERN.fullmatch(value) if isinstance(value, str) else None
    if match is None:
        scope.error(
            path,
            f"bad value: expected a duration such as '30 days', '8 weeks', '6 months' or '1 year', "
            f"got {_type_word(value)}",
        )
        return None
    amount, unit = int(match.group(1)), match.group(2).lower().rstrip("s")
    if amount < 1 or amount > 36500:
        scope.error(path, f"bad value: the duration must be between 1 and 36500 {unit}s, got {amount}")
        return None
    if unit == "week":
        return Duration(amount * 7, "day")
    if unit == "year":
        return Duration(amount * 12, "month")
    return Duration(amount, unit)


def _parse_value(operator: str, column: Column, raw: Any, has_value: bool, path: str, scope: _Scope) -> Any:
    value_type = column.value_type
    assert value_type is not None
    value_path = f"{path}.value"
    if operator in ("is null", "is not null"):
        if has_value:
            scope.error(value_path, f"operator '{operator}' takes no value")
            return _INVALID
        return None
    if not has_value:
        scope.error(path, f"operator '{operator}' needs a value")
        return _INVALID
    if operator in RELATIVE_DATE_OPERATORS:
        duration = parse_duration(raw, value_path, scope)
        return _INVALID if duration is None else duration
    if operator == "between":
        if not isinstance(raw, list) or len(raw) != 2:
            scope.error(value_path, f"bad value: 'between' takes a list [low, high], got {_type_word(raw)}")
            return _INVALID
        low = _scalar(raw[0], value_type, f"{value_path}[0]", scope)
        high = _scalar(raw[1], value_type, f"{value_path}[1]", scope)
        if low is _INVALID or high is _INVALID:
            return _INVALID
        try:
            if low > high:
                scope.error(value_path, f"bad value: low bound {low} is above high bound {high}")
                return _INVALID
        except TypeError:
            scope.error(value_path, "bad value: the bounds cannot be compared (mixed dates and timestamps)")
            return _INVALID
        return (low, high)
    if operator in ("in", "not in"):
        if not isinstance(raw, list) or not raw:
            scope.error(value_path, f"bad value: '{operator}' takes a non-empty list, got {_type_word(raw)}")
            return _INVALID
        if len(raw) > MAX_IN_VALUES:
            scope.error(value_path, f"bad value: at most {MAX_IN_VALUES} values, got {len(raw)}")
            return _INVALID
        values = [
            _scalar(item, value_type, f"{value_path}[{index}]", scope) for index, item in enumerate(raw)
        ]
        return _INVALID if any(item is _INVALID for item in values) else tuple(dict.fromkeys(values))
    scalar = _scalar(raw, value_type, value_path, scope)
    if scalar is not _INVALID and operator in ("contains", "starts with") and scalar == "":
        scope.error(value_path, f"bad value: '{operator}' needs non-empty text")
        return _INVALID
    return scalar


def _check_keys(node: dict, allowed: Iterable[str], path: str, scope: _Scope) -> None:
    allowed = tuple(allowed)
    for key in node:
        if key not in allowed:
            expected = ", ".join(allowed) if allowed else "nothing else"
            scope.error(
                f"{path}.{key}", f"unknown key '{key}'{_suggest(str(key), allowed)} (expected {expected})"
            )


def _parse_comparison(node: dict, source: str, path: str, scope: _Scope) -> Comparison | None:
    _check_keys(node, (source, *_LEAF_KEYS[source]), path, scope)
    name = node[source]
    if source == "trait":
        columns, where = (
            (scope.customer.columns if scope.customer else {}),
            (f"the customer model {scope.customer.model}" if scope.customer else "the customer model"),
        )
    elif source == "prediction":
        if scope.predictions is None:
            scope.error(
                f"{path}.prediction",
                f"unknown prediction '{name}': the predictions model "
                f"{scope.prediction_model_name or '(none set)'} has no documented columns",
            )
            return None
        columns, where = scope.predictions.columns, f"the predictions model {scope.predictions.model}"
    else:
        columns, where = scope.properties or {}, f"the properties of behaviour '{scope.behaviour_name}'"
    if not isinstance(name, str) or not name:
        scope.error(f"{path}.{source}", f"bad value: expected the name of a {source}, got {_type_word(name)}")
        return None
    column = columns.get(name.lower())
    if column is None:
        scope.error(
            f"{path}.{source}", f"unknown {source} '{name}' in {where}{_suggest(name.lower(), columns)}"
        )
        return None
    if column.value_type is None:
        declared = f"data_type '{column.data_type}'" if column.data_type else "no data_type"
        scope.error(
            f"{path}.{source}",
            f"{source} '{name}' has {declared} in its YAML ({where}): segments compare strings, numbers, "
            "booleans, dates and timestamps; declare one of those",
        )
        return None
    operator_raw = node.get("operator")
    if not isinstance(operator_raw, str):
        scope.error(f"{path}.operator", f"missing or bad operator (one of: {', '.join(ALL_OPERATORS)})")
        return None
    operator = " ".join(operator_raw.lower().split())
    if operator not in ALL_OPERATORS:
        scope.error(
            f"{path}.operator",
            f"unknown operator '{operator_raw}'{_suggest(operator, ALL_OPERATORS)} "
            f"(one of: {', '.join(ALL_OPERATORS)})",
        )
        return None
    valid = OPERATORS_BY_TYPE[column.value_type]
    if operator not in valid:
        scope.error(
            f"{path}.operator",
            f"operator '{operator}' is not valid for the {column.value_type.value} {source} '{column.name}' "
            f"(valid: {', '.join(valid)})",
        )
        return None
    value = _parse_value(operator, column, node.get("value"), "value" in node, path, scope)
    if value is _INVALID:
        return None
    return Comparison(source=source, column=column, operator=operator, value=value, path=path)


def _parse_count(node: dict, key: str, minimum: int, path: str, scope: _Scope) -> int | object | None:
    if key not in node:
        return None
    value = node[key]
    if isinstance(value, bool) or not isinstance(value, int) or value < minimum:
        scope.error(
            f"{path}.{key}", f"bad value: expected a whole number >= {minimum}, got {_type_word(value)}"
        )
        return _INVALID
    return value


def _parse_behaviour(node: dict, kind: str, path: str, scope: _Scope) -> BehaviourCondition | None:
    _check_keys(node, (kind, *_LEAF_KEYS[kind]), path, scope)
    name = node[kind]
    if not isinstance(name, str) or name not in scope.behaviours:
        known = ", ".join(scope.behaviours) or "none configured"
        suggestion = _suggest(name, scope.behaviours) if isinstance(name, str) else ""
        scope.error(
            f"{path}.{kind}", f"unknown behaviour {_type_word(name)}{suggestion} (behaviours: {known})"
        )
        return None
    behaviour = scope.behaviours[name]
    ok = True
    where: Condition | None = None
    if "where" in node:
        inner = replace(
            scope,
            properties=behaviour.properties,
            behaviour_name=name,
            memberships=[],
        )
        where = _parse_condition(node["where"], f"{path}.where", inner, allowed=("property",))
        ok = where is not None
    at_least = _parse_count(node, "at_least", 1, path, scope) if kind == "performed" else None
    at_most = _parse_count(node, "at_most", 0, path, scope) if kind == "performed" else None
    if at_least is _INVALID or at_most is _INVALID:
        return None
    if at_least is not None and at_most is not None and at_least > at_most:  # type: ignore[operator]
        scope.error(f"{path}.at_most", f"bad value: at_most ({at_most}) is below at_least ({at_least})")
        return None
    within: Duration | None = None
    if "within" in node:
        within = parse_duration(node["within"], f"{path}.within", scope)
        ok = ok and within is not None
    if not ok:
        return None
    if kind == "performed" and at_least is None and at_most is None:
        at_least = 1
    return BehaviourCondition(
        behaviour=behaviour,
        performed=kind == "performed",
        where=where,
        at_least=at_least,  # type: ignore[arg-type]
        at_most=at_most,  # type: ignore[arg-type]
        within=within,
        path=path,
    )


def _parse_condition(node: Any, path: str, scope: _Scope, allowed: tuple[str, ...]) -> Condition | None:
    """One condition (a leaf or all/any/not of conditions); None when it has problems (all reported)."""
    if not isinstance(node, dict) or not node:
        example = "{trait: ..., operator: ..., value: ...}"
        scope.error(path, f"expected a condition (a mapping such as {example}), got {_type_word(node)}")
        return None
    kinds = [key for key in node if key in _LOGICAL_KEYS or key in _LEAF_KEYS]
    if len(kinds) != 1:
        expected = ", ".join((*_LOGICAL_KEYS, *allowed))
        if not kinds:
            unknown = ", ".join(f"'{key}'" for key in node)
            scope.error(path, f"unknown condition {unknown} (a condition has one of: {expected})")
        else:
            scope.error(path, f"a condition has exactly one of {expected}; got {', '.join(kinds)}")
        return None
    kind = kinds[0]
    if kind in ("all", "any"):
        _check_keys(node, (kind,), path, scope)
        children = node[kind]
        if not isinstance(children, list) or not children:
            scope.error(
                f"{path}.{kind}", f"expected a non-empty list of conditions, got {_type_word(children)}"
            )
            return None
        parsed = [
            _parse_condition(child, f"{path}.{kind}[{index}]", scope, allowed)
            for index, child in enumerate(children)
        ]
        if any(child is None for child in parsed):
            return None
        node_type = AllOf if kind == "all" else AnyOf
        return node_type(children=tuple(parsed), path=path)  # type: ignore[arg-type]
    if kind == "not":
        _check_keys(node, ("not",), path, scope)
        child = _parse_condition(node["not"], f"{path}.not", scope, allowed)
        return None if child is None else NotCondition(child=child, path=path)
    if kind not in allowed:
        where = "in a behaviour's where" if scope.properties is not None else "here"
        scope.error(
            f"{path}.{kind}", f"'{kind}' conditions are not allowed {where} (allowed: {', '.join(allowed)})"
        )
        return None
    if kind in ("trait", "prediction", "property"):
        return _parse_comparison(node, kind, path, scope)
    if kind == "consent":
        _check_keys(node, ("consent",), path, scope)
        channel = node["consent"]
        if channel not in scope.channels:
            suggestion = _suggest(channel, scope.channels) if isinstance(channel, str) else ""
            scope.error(
                f"{path}.consent",
                f"unknown channel {_type_word(channel)}{suggestion} (channels: {', '.join(scope.channels)})",
            )
            return None
        return ConsentCondition(channel=channel, path=path)
    if kind == "in_segment":
        _check_keys(node, ("in_segment",), path, scope)
        name = node["in_segment"]
        if not isinstance(name, str) or name not in scope.segment_names:
            suggestion = _suggest(name, scope.segment_names) if isinstance(name, str) else ""
            scope.error(f"{path}.in_segment", f"unknown segment {_type_word(name)}{suggestion}")
            return None
        membership = MembershipCondition(segment=name, path=path)
        scope.memberships.append(membership)
        return membership
    return _parse_behaviour(node, kind, path, scope)


SEGMENT_CONDITION_KINDS = ("trait", "prediction", "consent", "in_segment", "performed", "did_not_perform")
SETTINGS_CONDITION_KINDS = ("trait", "prediction", "consent", "performed", "did_not_perform")


def _free_text(node: dict, key: str, scope: _Scope, required: bool = True) -> str | None:
    value = node.get(key)
    if value is None and not required:
        return None
    if not isinstance(value, str) or not value.strip():
        scope.error(key, f"expected non-empty text, got {_type_word(value)}")
        return None
    if any(delimiter in value for delimiter in JINJA_DELIMITERS):
        scope.error(key, "bad value: '{{', '{%' and '{#' are not allowed (dbt would read them as Jinja)")
        return None
    if has_control_characters(value.replace("\n", " ")):
        scope.error(key, "bad value: control characters are not allowed")
        return None
    return " ".join(value.split())


def _parse_outputs(raw: Any, scope: _Scope) -> tuple[OutputColumn, ...] | None:
    if raw is None:
        return ()
    if not isinstance(raw, list):
        scope.error("output", f"expected a list of columns, got {_type_word(raw)}")
        return None
    outputs: list[OutputColumn] = []
    ok = True
    seen = {"customer_id": "output", "is_holdout": "output"}
    for index, entry in enumerate(raw):
        path = f"output[{index}]"
        if isinstance(entry, str):
            name, alias = entry, entry
        elif isinstance(entry, dict) and isinstance(entry.get("column"), str):
            _check_keys(entry, ("column", "as"), path, scope)
            name, alias = entry["column"], entry.get("as", entry["column"])
        else:
            scope.error(path, f"expected a column name or {{column: ..., as: ...}}, got {_type_word(entry)}")
            ok = False
            continue
        name = name.lower()
        customer_columns = scope.customer.columns if scope.customer else {}
        prediction_columns = scope.predictions.columns if scope.predictions else {}
        if name in customer_columns:
            source, column = "trait", customer_columns[name]
        elif name in prediction_columns:
            source, column = "prediction", prediction_columns[name]
        else:
            scope.error(
                path,
                f"unknown output column '{name}'{_suggest(name, [*customer_columns, *prediction_columns])} "
                "(outputs are traits of the customer model or predictions)",
            )
            ok = False
            continue
        if not isinstance(alias, str) or not IDENTIFIER_PATTERN.fullmatch(alias):
            scope.error(
                f"{path}.as", f"bad value: expected a lower-case column name, got {_type_word(alias)}"
            )
            ok = False
            continue
        if alias in seen:
            reason = (
                "is always in the output" if alias in ("customer_id", "is_holdout") else "is listed twice"
            )
            scope.error(path, f"output column '{alias}' {reason}")
            ok = False
            continue
        seen[alias] = path
        outputs.append(OutputColumn(source=source, column=column, alias=alias))
    return tuple(outputs) if ok else None


def _parse_holdout(raw: Any, scope: _Scope) -> Decimal | None:
    if raw is None:
        return Decimal(0)
    if isinstance(raw, bool) or not isinstance(raw, int | float):
        scope.error("holdout_percent", f"bad value: expected a percentage such as 10, got {_type_word(raw)}")
        return None
    percent = Decimal(repr(raw)) if isinstance(raw, float) else Decimal(raw)
    if (
        not percent.is_finite()
        or percent < 0
        or percent >= 100
        or percent != percent.quantize(Decimal("0.01"))
    ):
        scope.error(
            "holdout_percent",
            f"bad value: expected a percentage from 0 to 99.99 with at most two decimals, got {raw}",
        )
        return None
    return percent


def parse_segment(
    content: Any,
    relative: str,
    stem: str,
    settings: Settings,
    segment_names: frozenset[str],
    problems: Problems,
) -> Segment | None:
    """One segment file's content, checked; None when it has problems (all of them added to `problems`)."""
    scope = _Scope(
        problems=problems,
        file=relative,
        segment=stem,
        customer=settings.customer_model,
        predictions=settings.prediction_model,
        prediction_model_name=settings.prediction_model_name,
        channels=settings.channels,
        behaviours=settings.behaviours,
        segment_names=segment_names,
    )
    if not isinstance(content, dict):
        scope.error("", f"expected a mapping with {', '.join(SEGMENT_KEYS)}, got {_type_word(content)}")
        return None
    before = len(problems.items)
    for key in content:
        if key not in SEGMENT_KEYS:
            scope.error(str(key), f"unknown key '{key}'{_suggest(str(key), SEGMENT_KEYS)}")
    for key, required in SEGMENT_KEYS.items():
        if required and key not in content:
            scope.error(key, "missing (required)")
    name = content.get("name")
    if "name" in content:
        if not isinstance(name, str) or not SEGMENT_NAME_PATTERN.fullmatch(name):
            scope.error(
                "name",
                f"bad value: a segment name is lower-case letters, digits and _ (starting with a letter, "
                f"at most 59 characters), got {_type_word(name)}",
            )
        elif name != stem:
            scope.error("name", f"bad value: '{name}' must match the file name ({stem}.yml)")
    description = _free_text(content, "description", scope) if "description" in content else None
    owner = _free_text(content, "owner", scope) if "owner" in content else None
    channel = content.get("channel")
    if "channel" in content and channel not in settings.channels:
        suggestion = _suggest(channel, settings.channels) if isinstance(channel, str) else ""
        scope.error(
            "channel",
            f"unknown channel {_type_word(channel)}{suggestion} (channels: {', '.join(settings.channels)})",
        )
    conditions = None
    if "conditions" in content:
        conditions = _parse_condition(content["conditions"], "conditions", scope, SEGMENT_CONDITION_KINDS)
    outputs = _parse_outputs(content.get("output"), scope)
    holdout = _parse_holdout(content.get("holdout_percent"), scope)
    exclude_existing = content.get("exclude_existing_customers", False)
    if not isinstance(exclude_existing, bool):
        scope.error(
            "exclude_existing_customers",
            f"bad value: expected true or false, got {_type_word(exclude_existing)}",
        )
    if len(problems.items) > before:
        return None
    assert conditions is not None and outputs is not None and holdout is not None
    return Segment(
        name=stem,
        description=description or "",
        owner=owner or "",
        channel=channel,
        conditions=conditions,
        outputs=outputs,
        holdout_percent=holdout,
        exclude_existing_customers=exclude_existing,
        source_file=relative,
        depends_on=tuple(dict.fromkeys(membership.segment for membership in scope.memberships)),
    )


def _membership_paths(condition: Condition) -> list[MembershipCondition]:
    if isinstance(condition, AllOf | AnyOf):
        return [found for child in condition.children for found in _membership_paths(child)]
    if isinstance(condition, NotCondition):
        return _membership_paths(condition.child)
    return [condition] if isinstance(condition, MembershipCondition) else []


def find_cycles(segments: dict[str, Segment], problems: Problems) -> None:
    """Membership cycles (a in b, b in a; a in a): one problem on each segment of a cycle."""
    state: dict[str, str] = {}
    stack: list[str] = []
    reported: set[frozenset[str]] = set()

    def visit(name: str) -> None:
        state[name] = "visiting"
        stack.append(name)
        for dependency in segments[name].depends_on:
            if dependency not in segments:
                continue
            if state.get(dependency) == "visiting":
                cycle = stack[stack.index(dependency) :]
                key = frozenset(cycle)
                if key not in reported:
                    reported.add(key)
                    loop = " -> ".join([*cycle, dependency])
                    for member in cycle:
                        following = cycle[(cycle.index(member) + 1) % len(cycle)]
                        paths = [
                            m.path
                            for m in _membership_paths(segments[member].conditions)
                            if m.segment == following
                        ]
                        problems.add(
                            segments[member].source_file,
                            member,
                            f"{paths[0]}.in_segment" if paths else "conditions",
                            f"membership cycle: {loop}",
                        )
            elif dependency not in state:
                visit(dependency)
        stack.pop()
        state[name] = "done"

    for name in sorted(segments):
        if name not in state:
            visit(name)


def order_by_dependencies(segments: dict[str, Segment]) -> list[Segment]:
    """Segments with the ones they depend on first (names break ties); assumes no cycle."""
    ordered: list[Segment] = []
    placed: set[str] = set()

    def place(name: str) -> None:
        if name in placed:
            return
        placed.add(name)
        for dependency in segments[name].depends_on:
            place(dependency)
        ordered.append(segments[name])

    for name in sorted(segments):
        place(name)
    return ordered


# ------------------------------------------------------------------------------------------------ settings


def _setting_text(node: dict, key: str, scope: _Scope, default: str | None = None) -> str | None:
    value = node.get(key, default)
    if not isinstance(value, str) or not IDENTIFIER_PATTERN.fullmatch(value):
        scope.error(key, f"expected a lower-case model or column name, got {_type_word(value)}")
        return None
    return value


def _require_column(model: ModelColumns, column: str | None, path: str, scope: _Scope) -> Column | None:
    if column is None:
        return None
    found = model.columns.get(column)
    if found is None:
        scope.error(
            path,
            f"column '{column}' is not documented for {model.model} ({model.yaml_path})"
            f"{_suggest(column, model.columns)}",
        )
    return found


def _parse_behaviour_source(
    name: str, node: Any, documented: dict[str, ModelColumns], scope: _Scope
) -> BehaviourSource | None:
    path = f"behaviours.{name}"
    if (
        not IDENTIFIER_PATTERN.fullmatch(name)
        or name in RESERVED_RELATION_NAMES
        or "__" in name
        or name.startswith(("seg_", "segment_", "behaviour_", "suppressions"))
    ):
        scope.error(
            path,
            f"bad behaviour name '{name}': lower-case letters, digits and _, not a name the generated SQL "
            "uses for its own relations (seg_*, segment_*, behaviour_*, names with __, "
            f"{', '.join(sorted(RESERVED_RELATION_NAMES))})",
        )
        return None
    if not isinstance(node, dict):
        scope.error(path, f"expected a mapping, got {_type_word(node)}")
        return None
    allowed = (
        "model",
        "description",
        "customer_column",
        "occurred_at_column",
        "count_distinct_column",
        "filter",
        "properties",
    )
    _check_keys(node, allowed, path, scope)
    before = len(scope.problems.items)
    inner = replace(scope, segment=None)
    model_name = node.get("model")
    model = documented.get(model_name) if isinstance(model_name, str) else None
    if model is None:
        scope.error(
            f"{path}.model", f"model {_type_word(model_name)} has no YAML documentation under models/"
        )
        return None
    customer_column = node.get("customer_column", "customer_id")
    occurred_at = node.get("occurred_at_column")
    count_distinct = node.get("count_distinct_column")
    _require_column(model, customer_column, f"{path}.customer_column", inner)
    _require_column(model, occurred_at, f"{path}.occurred_at_column", inner)
    if count_distinct is not None:
        _require_column(model, count_distinct, f"{path}.count_distinct_column", inner)
    properties: dict[str, Column] = {}
    raw_properties = node.get("properties") or {}
    if not isinstance(raw_properties, dict):
        scope.error(f"{path}.properties", "expected a mapping {property: type}")
        raw_properties = {}
    type_names = {value_type.value: value_type for value_type in ValueType}
    for property_name, type_name in raw_properties.items():
        property_path = f"{path}.properties.{property_name}"
        column = _require_column(model, str(property_name), property_path, inner)
        if column is None:
            continue
        declared = type_names.get(type_name) if isinstance(type_name, str) else None
        if declared is None:
            scope.error(property_path, f"bad type {_type_word(type_name)} (types: {', '.join(type_names)})")
            continue
        if column.value_type is not None and column.value_type is not declared:
            scope.error(
                property_path,
                f"declared {declared.value} but {model.yaml_path} gives data_type '{column.data_type}'",
            )
            continue
        properties[column.name] = replace(column, value_type=declared)
    base_filter = None
    if "filter" in node:
        filter_scope = replace(scope, properties=properties, behaviour_name=name, memberships=[])
        base_filter = _parse_condition(node["filter"], f"{path}.filter", filter_scope, allowed=("property",))
    description = node.get("description", "")
    if not isinstance(description, str) or any(d in description for d in JINJA_DELIMITERS):
        scope.error(f"{path}.description", "expected text without Jinja delimiters")
    if len(scope.problems.items) > before:
        return None
    return BehaviourSource(
        name=name,
        model=model.model,
        description=" ".join(str(description).split()),
        customer_column=customer_column,
        occurred_at_column=occurred_at,
        count_distinct_column=count_distinct,
        properties=properties,
        base_filter=base_filter,
    )


# CTE names the generated SQL uses for its own relations: a behaviour cannot take one of them.
RESERVED_RELATION_NAMES = frozenset(
    {
        "customers",
        "customer_predictions",
        "reference_date",
        "date_windows",
        "global_suppressions",
        "matched",
        "eligible",
        "holdout_assigned",
        "unioned",
        "final",
    }
)


def parse_settings(
    content: Any, relative: str, documented: dict[str, ModelColumns], problems: Problems
) -> Settings | None:
    """segments/_settings.yml checked against the project's documented models."""
    scope = _Scope(problems=problems, file=relative, segment=None)
    if not isinstance(content, dict):
        scope.error("", f"expected a mapping, got {_type_word(content)}")
        return None
    allowed = (
        "customers",
        "predictions",
        "pii_columns",
        "internal_accounts",
        "existing_customers",
        "behaviours",
        "global_suppression_model",
    )
    _check_keys(content, allowed, "", scope)
    before = len(problems.items)
    customers_node = content.get("customers")
    if not isinstance(customers_node, dict):
        scope.error(
            "customers", "missing: {model, reference_date_column, erased_column, consent_column_pattern}"
        )
        return None
    customers_scope = replace(scope)
    model_name = customers_node.get("model")
    customer_model = documented.get(model_name) if isinstance(model_name, str) else None
    if customer_model is None:
        scope.error(
            "customers.model", f"model {_type_word(model_name)} has no YAML documentation under models/"
        )
        return None
    reference_date = customers_node.get("reference_date_column")
    erased = customers_node.get("erased_column")
    for key, column in (("reference_date_column", reference_date), ("erased_column", erased)):
        if not isinstance(column, str):
            customers_scope.error(f"customers.{key}", f"expected a column name, got {_type_word(column)}")
        else:
            _require_column(customer_model, column, f"customers.{key}", customers_scope)
    pattern = customers_node.get("consent_column_pattern")
    consent_columns: dict[str, str] = {}
    if not isinstance(pattern, str) or pattern.count("{channel}") != 1:
        scope.error(
            "customers.consent_column_pattern",
            "expected a column name with {channel}, e.g. has_{channel}_consent",
        )
    else:
        regex = re.compile(re.escape(pattern).replace(re.escape("{channel}"), "([a-z][a-z0-9_]*)"))
        for column in customer_model.columns.values():
            match = regex.fullmatch(column.name)
            if match and column.value_type is ValueType.BOOLEAN:
                consent_columns[match.group(1)] = column.name
        if not consent_columns:
            scope.error(
                "customers.consent_column_pattern",
                f"no boolean column of {customer_model.model} matches {pattern}: segments need consent "
                "per channel",
            )
    prediction_model = None
    prediction_model_name = None
    predictions_node = content.get("predictions")
    if predictions_node is not None:
        if not isinstance(predictions_node, dict) or not isinstance(predictions_node.get("model"), str):
            scope.error("predictions", "expected {model: <predictions model>}")
        else:
            prediction_model_name = predictions_node["model"]
            prediction_model = documented.get(prediction_model_name)
            if prediction_model is None:
                logger.warning(
                    "Predictions model %s has no YAML documentation: prediction conditions are unavailable",
                    prediction_model_name,
                )
    pii = content.get("pii_columns") or []
    pii_set: set[str] = set()
    if not isinstance(pii, list) or not all(isinstance(item, str) for item in pii):
        scope.error("pii_columns", "expected a list of column names")
    else:
        for index, column in enumerate(pii):
            known = column in customer_model.columns or (
                prediction_model and column in prediction_model.columns
            )
            if not known:
                scope.error(
                    f"pii_columns[{index}]",
                    f"column '{column}' is not documented for {customer_model.model}"
                    f"{_suggest(column, customer_model.columns)}",
                )
            pii_set.add(column)

    def with_pii(model: ModelColumns | None) -> ModelColumns | None:
        if model is None:
            return None
        columns = {
            name: replace(column, is_pii=column.is_pii or name in pii_set)
            for name, column in model.columns.items()
        }
        return replace(model, columns=columns)

    customer_model = with_pii(customer_model)
    prediction_model = with_pii(prediction_model)
    suppression_model = content.get("global_suppression_model", "segment_global_suppressions")
    if not isinstance(suppression_model, str) or not IDENTIFIER_PATTERN.fullmatch(suppression_model):
        scope.error("global_suppression_model", f"expected a model name, got {_type_word(suppression_model)}")
    behaviours: dict[str, BehaviourSource] = {}
    behaviours_node = content.get("behaviours") or {}
    if not isinstance(behaviours_node, dict):
        scope.error("behaviours", "expected a mapping {name: {model, occurred_at_column, ...}}")
        behaviours_node = {}
    for name, node in behaviours_node.items():
        source = _parse_behaviour_source(str(name), node, documented, scope)
        if source is not None:
            behaviours[source.name] = source
    rule_scope = replace(
        scope,
        customer=customer_model,
        predictions=prediction_model,
        prediction_model_name=prediction_model_name,
        channels=tuple(consent_columns),
        behaviours=behaviours,
    )
    rules: dict[str, Condition | None] = {}
    for key in ("internal_accounts", "existing_customers"):
        rules[key] = None
        if content.get(key) is not None:
            rules[key] = _parse_condition(content[key], key, rule_scope, SETTINGS_CONDITION_KINDS)
    if len(problems.items) > before:
        return None
    assert customer_model is not None
    return Settings(
        source_file=relative,
        customer_model=customer_model,
        reference_date_column=reference_date,
        erased_column=erased,
        consent_columns=consent_columns,
        prediction_model=prediction_model,
        prediction_model_name=prediction_model_name,
        behaviours=behaviours,
        pii_columns=frozenset(pii_set),
        internal_accounts=rules["internal_accounts"],
        existing_customers=rules["existing_customers"],
        global_suppression_model=suppression_model,
    )


# ------------------------------------------------------------------------------------------------- project


@dataclass(frozen=True)
class SegmentProject:
    """The checked settings and segments of a dbt project, segments in dependency order."""

    project_dir: Path
    settings: Settings
    segments: tuple[Segment, ...]

    def segment(self, name: str) -> Segment:
        for segment in self.segments:
            if segment.name == name:
                return segment
        raise KeyError(name)


def definition_files(project_dir: Path) -> list[Path]:
    """The segment definition files (every *.yml / *.yaml of segments/ not starting with '_')."""
    directory = project_dir / SEGMENTS_DIR
    if not directory.is_dir():
        return []
    return sorted(
        path
        for path in directory.iterdir()
        if path.is_file() and path.suffix in (".yml", ".yaml") and not path.name.startswith("_")
    )


def load_project(project_dir: Path) -> SegmentProject:
    """Settings and every segment definition, checked; SegmentDefinitionError lists every problem."""
    problems = Problems()
    documented = load_model_columns(project_dir, skip_dirs=(project_dir / GENERATED_DIR,))
    settings_path = project_dir / SEGMENTS_DIR / SETTINGS_FILE
    settings_relative = f"{SEGMENTS_DIR}/{SETTINGS_FILE}"
    if not settings_path.is_file():
        raise SegmentDefinitionError([f"{settings_relative}: missing: segments need their settings file"])
    settings_content = read_yaml(settings_path, settings_relative, problems, None)
    settings = (
        parse_settings(settings_content, settings_relative, documented, problems)
        if settings_content is not None or not problems
        else None
    )
    files = definition_files(project_dir)
    stems: dict[str, Path] = {}
    for path in files:
        if path.stem in stems:
            problems.add(
                f"{SEGMENTS_DIR}/{path.name}", path.stem, "", f"two files define segment '{path.stem}'"
            )
        stems[path.stem] = path
    segments: dict[str, Segment] = {}
    if settings is not None:
        names = frozenset(stems)
        for stem, path in stems.items():
            relative = f"{SEGMENTS_DIR}/{path.name}"
            content = read_yaml(path, relative, problems, stem)
            if content is None:
                continue
            segment = parse_segment(content, relative, stem, settings, names, problems)
            if segment is not None:
                segments[segment.name] = segment
        find_cycles(segments, problems)
    if problems or settings is None:
        raise SegmentDefinitionError([str(problem) for problem in problems.items])
    return SegmentProject(
        project_dir=project_dir, settings=settings, segments=tuple(order_by_dependencies(segments))
    )
