"""The error types of the whole product. Every error a user can cause is a SocError."""

from __future__ import annotations


class SocError(Exception):
    """Base of every error the product raises on purpose; its text is shown to the user."""


class ConfigError(SocError):
    """A configuration value is missing or invalid; names the key."""

    def __init__(self, key: str, cause: str) -> None:
        super().__init__(f"config key '{key}': {cause}")
        self.key = key
        self.cause = cause


class ParseError(SocError):
    """A raw record could not be turned into an event; the reason goes to the dead-letter store."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class RuleError(SocError):
    """A detection rule is invalid; carries the file and line where known."""

    def __init__(self, path: str, cause: str, line: int | None = None) -> None:
        where = f"{path}:{line}" if line is not None else path
        super().__init__(f"{where}: {cause}")
        self.path = path
        self.line = line
        self.cause = cause


class StoreError(SocError):
    """The store refused or failed an operation."""


class StoreUnavailable(StoreError):
    """The store cannot be reached right now; the caller may buffer and retry."""


class InvalidTransition(SocError):
    """An incident status change that the workflow does not allow."""


class PermissionDenied(SocError):
    """The user's role does not allow this action."""
