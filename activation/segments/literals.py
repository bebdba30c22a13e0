"""SQL literals for values taken from segment definitions: the one place a definition's value becomes SQL.

A value is checked against its column's type first (`definitions`), then written here as a literal of that
type whose text is the same on DuckDB, PostgreSQL and Spark and can never end the literal early or reach
Jinja:

- strings are single-quoted with quotes doubled (standard SQL; Spark 4 reads it too); a backslash is written
  as chr(92), because Spark reads backslash escapes inside string literals (`'\\'` would end the literal
  there), and an opening brace as chr(123), because dbt renders the model file with Jinja first and `{{`,
  `{%` or `{#` would start a Jinja block; control characters are refused;
- numbers are written digit by digit from a Decimal (no exponent, never NaN or infinity);
- dates and timestamps are ISO text cast to the type, booleans true/false.
"""

from __future__ import annotations

import datetime as dt
import math
from decimal import Decimal

from activation.errors import ConfigurationError
from activation.segments.model import Scalar, ValueType

# Characters written with chr(): see the module docstring.
_CHR_ESCAPED = {"\\": 92, "{": 123}


def has_control_characters(text: str) -> bool:
    """Newlines, tabs, NUL and the like: nothing a segment value needs, and unsafe in generated files."""
    return any(ord(character) < 32 or ord(character) == 127 for character in text)


def render_string(text: str) -> str:
    """A string literal, e.g. `'O''Brien'`, or a concat() of quoted parts and chr() for `\\` and `{`."""
    if not isinstance(text, str):
        raise ConfigurationError(f"render_string expects text, got {type(text).__name__}")
    if has_control_characters(text):
        raise ConfigurationError(f"control characters are not allowed in a segment value: {text!r}")
    parts: list[str] = []
    current: list[str] = []
    for character in text:
        if character in _CHR_ESCAPED:
            if current:
                parts.append("'" + "".join(current).replace("'", "''") + "'")
                current = []
            parts.append(f"chr({_CHR_ESCAPED[character]})")
        else:
            current.append(character)
    if current or not parts:
        parts.append("'" + "".join(current).replace("'", "''") + "'")
    if len(parts) == 1:
        return parts[0]
    return "concat(" + ", ".join(parts) + ")"


def render_number(value: int | float | Decimal) -> str:
    """A numeric literal in plain digits: `42`, `-0.5`, `1250.75`."""
    if isinstance(value, bool) or not isinstance(value, int | float | Decimal):
        raise ConfigurationError(f"render_number expects a number, got {type(value).__name__}")
    if isinstance(value, int):
        return str(value)
    number = Decimal(str(value)) if isinstance(value, float) else value
    if (isinstance(value, float) and not math.isfinite(value)) or not number.is_finite():
        raise ConfigurationError(f"a segment value must be a finite number, got {value}")
    text = format(number, "f")
    return f"({text})" if text.startswith("-") else text


def render_literal(value: Scalar, value_type: ValueType) -> str:
    """The SQL literal of one checked value of the given type."""
    if value_type is ValueType.STRING:
        if not isinstance(value, str):
            raise ConfigurationError(f"expected text for a string literal, got {type(value).__name__}")
        return render_string(value)
    if value_type is ValueType.NUMBER:
        return render_number(value)  # type: ignore[arg-type]
    if value_type is ValueType.BOOLEAN:
        if not isinstance(value, bool):
            raise ConfigurationError(f"expected true or false, got {type(value).__name__}")
        return "true" if value else "false"
    if value_type is ValueType.DATE:
        if isinstance(value, dt.datetime) or not isinstance(value, dt.date):
            raise ConfigurationError(f"expected a date, got {type(value).__name__}")
        return f"cast('{value.isoformat()}' as date)"
    if value_type is ValueType.TIMESTAMP:
        if isinstance(value, dt.datetime):
            if value.tzinfo is not None:
                value = value.astimezone(dt.UTC).replace(tzinfo=None)
            return f"cast('{value.isoformat(sep=' ')}' as timestamp)"
        if isinstance(value, dt.date):
            return f"cast('{value.isoformat()} 00:00:00' as timestamp)"
        raise ConfigurationError(f"expected a timestamp, got {type(value).__name__}")
    raise ConfigurationError(f"no literal for type {value_type}")
