"""Stand-ins for the project's `cdp.*` macros when sqlfluff lints the models' own SQL.

sqlfluff's dbt templater would compile every model against a live warehouse and lint hundreds of kilobytes of
macro output per model; what we review is the model files' shape (CTEs, casing, aliases, commas). Each macro
renders here as one placeholder expression, and the source reader as a plain select.
"""

from __future__ import annotations

from collections.abc import Callable


def select_source_columns(source_name: str, table_name: str) -> str:
    return f"select * from {source_name}_{table_name}"


def __getattr__(name: str) -> Callable[..., str]:
    if name.startswith("__"):
        raise AttributeError(name)
    return lambda *args, **kwargs: f"{name}_output"
