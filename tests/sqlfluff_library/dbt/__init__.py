"""Stand-ins for dbt's cross-database macros (`dbt.*`) when sqlfluff lints the models (see ../cdp)."""

from __future__ import annotations

from collections.abc import Callable


def __getattr__(name: str) -> Callable[..., str]:
    if name.startswith("__"):
        raise AttributeError(name)
    return lambda *args, **kwargs: f"{name}_output"
