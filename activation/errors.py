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


class SyncConfigurationError(ConfigurationError):
    """Sync definitions are wrong: every problem found, each naming the file, the sync and the field."""

    def __init__(self, problems: list[str]) -> None:
        self.problems = problems
        listed = "\n  ".join(problems)
        count = f"{len(problems)} problem{'s' if len(problems) != 1 else ''}"
        super().__init__(f"Sync definitions have {count}:\n  {listed}")


class StateStoreError(ActivationError):
    """The sync state in the warehouse cannot be used (another run holds the sync, or the schema is wrong)."""


class DestinationError(ActivationError):
    """A destination refused or failed a request. Carries what a person needs to act on it.

    `url` and `body` never contain secrets: the transport removes every secret value of the sync from them
    before the exception is built.
    """

    def __init__(
        self,
        message: str,
        *,
        status: int | None = None,
        url: str | None = None,
        body: str | None = None,
        code: str | None = None,
    ) -> None:
        self.status = status
        self.url = url
        self.body = body
        self.code = code
        details = [part for part in (f"HTTP {status}" if status else None, code, url) if part]
        super().__init__(f"{message} ({', '.join(details)})" if details else message)


class TransientDestinationError(DestinationError):
    """Worth retrying the same request later: timeouts, connection resets, 5xx, the platform's 'try again'."""


class RateLimitedError(TransientDestinationError):
    """The platform throttled us; `retry_after` (seconds) is its own hint when it gave one."""

    def __init__(self, message: str, *, retry_after: float | None = None, **details: object) -> None:
        self.retry_after = retry_after
        super().__init__(message, **details)  # type: ignore[arg-type]


class PermanentDestinationError(DestinationError):
    """Retrying this request cannot succeed (a malformed batch): its records fail, other batches go on."""


class FatalDestinationError(PermanentDestinationError):
    """No request can succeed (bad credentials, missing permission, deleted audience): the sync stops."""
