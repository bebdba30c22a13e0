"""The exception hierarchy of the activation package.

One root, so callers can catch everything the package raises on purpose; configuration problems (the user
must fix something) are kept apart from failures of the tools and services the package drives.
"""

from __future__ import annotations


class ActivationError(Exception):
    """Root of every error the activation package raises on purpose."""


class ConfigurationError(ActivationError):
    """A setting, argument or file is wrong; the message names it and says what is expected."""


class WarehouseBuildError(ActivationError):
    """A dbt command failed; the message lists the failing nodes."""

    def __init__(self, command: str, failures: list[str]) -> None:
        self.command = command
        self.failures = failures
        listed = "\n  ".join(failures) if failures else "(see the dbt output above)"
        super().__init__(f"`dbt {command}` failed:\n  {listed}")


class ModelFitError(ActivationError):
    """A predictive model could not be fitted to the data; the message says why (too little data, ...)."""

class SegmentDefinitionError(ConfigurationError):
    """Segment definitions or their settings are wrong: every problem, each naming file, segment and field."""

    def __init__(self, problems: list[str]) -> None:
        self.problems = problems
        listed = "\n  ".join(problems)
        count = f"{len(problems)} problem{'s' if len(problems) != 1 else ''}"
        super().__init__(f"Segment definitions have {count}:\n  {listed}")
