"""The platform's own typed errors: every refusal names the file and, where there is one, the line
and column, so that nobody has to read a traceback from inside pandas."""

from __future__ import annotations

from pathlib import Path


class FitnessError(Exception):
    """Base class of every error the platform raises on purpose."""


class ExportError(FitnessError):
    """A file that cannot be read as an export at all; nothing from it is loaded."""

    def __init__(
        self, path: Path | str, message: str, *, line: int | None = None, column: str | None = None
    ):
        self.path = str(path)
        self.line = line
        self.column = column
        self.reason = message
        where = self.path
        if line is not None:
            where += f", line {line}"
        if column is not None:
            where += f", column '{column}'"
        super().__init__(f"{where}: {message}")


class LoadRefused(FitnessError):
    """A load that would be destructive or inconsistent; the transaction is rolled back whole."""


class ConfigurationError(FitnessError):
    """An environment variable or setting that cannot be used."""


class ReportRefused(FitnessError):
    """A report that must not be stored: a reply that failed verification, or was cut off by the
    token limit. ``verification`` is the record of the attempts and their errors."""

    def __init__(self, message: str, verification: dict | None = None):
        super().__init__(message)
        self.verification = verification


class WarehouseUnavailable(FitnessError):
    """The warehouse cannot be reached (wrong URL, server down, credentials refused)."""


class StorageUnavailable(ConfigurationError):
    """The output store cannot be used (read-only or full folder, missing or denied bucket)."""


class EmailFailed(FitnessError):
    """An e-mail could not be sent (refused by the provider, or the provider unreachable)."""
