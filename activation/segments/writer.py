"""Segment definitions written back as YAML, in the layout a person writes by hand (segments/*.yml).

The web app's segment builder edits a definition as data (the mapping `yaml.safe_load` gives) and saves it
through `definition_yaml`: keys in the documented order, the description folded at the line limit, a
comparison leaf on one line (`- {trait: order_count, operator: ">=", value: 2}`), behaviour leaves as block
mappings, short lists inline. Loading what it writes gives back the same mapping, and a file already written
this way comes back byte for byte (tests/test_segments_writer.py).
"""

from __future__ import annotations

import datetime as dt
import json
import re
import textwrap
from decimal import Decimal
from typing import Any

import yaml

from activation.errors import ConfigurationError
from activation.segments.definitions import _DefinitionLoader

LINE_LIMIT = 110
TOP_LEVEL_ORDER = (
    "name",
    "description",
    "owner",
    "channel",
    "holdout_percent",
    "exclude_existing_customers",
    "conditions",
    "output",
)
LEAF_ORDER = (
    "trait",
    "prediction",
    "property",
    "consent",
    "in_segment",
    "performed",
    "did_not_perform",
    "operator",
    "value",
    "where",
    "at_least",
    "at_most",
    "within",
)
_BEHAVIOUR_KEYS = ("performed", "did_not_perform")
_LOGICAL_KEYS = ("all", "any", "not")
# Text YAML would read as something else, or that flow syntax would cut: quoted.
_PLAIN_UNSAFE = re.compile(r"""^[\s\-?:,\[\]{}#&*!|>'"%@`]|[:#,\[\]{}]|\s$""")


def scalar(value: Any) -> str:
    """One value as YAML: plain when YAML reads it back as the same value, else double-quoted."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | Decimal):
        return str(value)
    if isinstance(value, float):
        return repr(value)
    if isinstance(value, dt.date):
        return value.isoformat()
    if not isinstance(value, str):
        raise ConfigurationError(f"cannot write {type(value).__name__} {value!r} in a segment definition")
    # A date written plain is read as a date, which date and timestamp conditions take as written. `=` is
    # quoted as people write it (YAML 1.1 tools read a bare `=` as a special tag).
    if re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
        return value
    plain = value and value != "=" and not _PLAIN_UNSAFE.search(value)
    if plain and yaml.load(value, Loader=_DefinitionLoader) == value:
        return value
    return json.dumps(value, ensure_ascii=False)


def flow(value: Any) -> str:
    """A value on one line: scalars, [lists] and {mappings} (leaf keys in the documented order)."""
    if isinstance(value, list):
        return "[" + ", ".join(flow(item) for item in value) + "]"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{key}: {flow(item)}" for key, item in _ordered(value).items()) + "}"
    return scalar(value)


def _ordered(node: dict) -> dict:
    known = [key for key in LEAF_ORDER if key in node]
    return {key: node[key] for key in [*known, *(key for key in node if key not in known)]}


def _is_logical(node: Any) -> bool:
    return isinstance(node, dict) and any(key in node for key in _LOGICAL_KEYS)


def _condition_lines(node: Any, indent: int) -> list[str]:
    """A condition's body as block lines at `indent` (the caller writes its key or list dash)."""
    pad = " " * indent
    if isinstance(node, dict) and len(node) == 1 and next(iter(node)) in ("all", "any"):
        key = next(iter(node))
        lines = [f"{pad}{key}:"]
        for child in node[key] or []:
            lines += _list_item(child, indent + 2)
        return lines
    if isinstance(node, dict) and len(node) == 1 and "not" in node:
        child = node["not"]
        inline = f"{pad}not: {flow(child)}"
        if not _is_logical(child) and not _is_behaviour(child) and len(inline) <= LINE_LIMIT:
            return [inline]
        return [f"{pad}not:", *_condition_lines(child, indent + 2)]
    if isinstance(node, dict):
        lines = []
        for key, value in _ordered(node).items():
            if key == "where" and _is_logical(value) and len(f"{pad}where: {flow(value)}") > LINE_LIMIT:
                lines += [f"{pad}where:", *_condition_lines(value, indent + 2)]
            else:
                lines.append(f"{pad}{key}: {flow(value)}")
        return lines
    return [f"{pad}{flow(node)}"]


def _is_behaviour(node: Any) -> bool:
    return isinstance(node, dict) and any(key in node for key in _BEHAVIOUR_KEYS)


def _list_item(node: Any, indent: int) -> list[str]:
    """One condition of an all/any list: `- {leaf}` on one line when it fits, else a block under the dash."""
    pad = " " * indent
    if not _is_logical(node) and not _is_behaviour(node):
        line = f"{pad}- {flow(node)}"
        if len(line) <= LINE_LIMIT:
            return [line]
    body = _condition_lines(node, indent + 2)
    return [f"{pad}- {body[0].lstrip()}", *body[1:]]


def _description_lines(text: str) -> list[str]:
    text = " ".join(str(text).split())
    if len(text) < 60:
        return [f"description: {scalar(text)}"]
    wrapped = textwrap.wrap(text, width=LINE_LIMIT - 2, break_long_words=False, break_on_hyphens=False)
    return ["description: >", *(f"  {line}" for line in wrapped)]


def _output_lines(outputs: list[Any]) -> list[str]:
    inline = f"output: {flow(outputs)}"
    if len(inline) <= LINE_LIMIT and not any(isinstance(item, dict) for item in outputs):
        return [inline]
    return ["output:", *(f"  - {flow(item)}" for item in outputs)]


def definition_yaml(definition: dict[str, Any]) -> str:
    """The YAML file of a segment definition (a mapping as `yaml.safe_load` reads one)."""
    unknown = [key for key in definition if key not in TOP_LEVEL_ORDER]
    if unknown:
        raise ConfigurationError(f"unknown keys in a segment definition: {', '.join(map(str, unknown))}")
    lines: list[str] = []
    for key in TOP_LEVEL_ORDER:
        if key not in definition:
            continue
        value = definition[key]
        if key == "description":
            lines += _description_lines(value)
        elif key == "conditions":
            lines += ["conditions:", *_condition_lines(value, 2)]
        elif key == "output":
            lines += _output_lines(list(value or []))
        elif key == "exclude_existing_customers" and value is False:
            continue
        else:
            lines.append(f"{key}: {scalar(value)}")
    return "\n".join(lines) + "\n"
