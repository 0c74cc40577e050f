"""The command line's own Dagster logger: one short line per message, for a person at a terminal.

Dagster's console logger prints a failed step with its whole stack trace; the command prints the
platform's sentence for it instead (the run's event log keeps every detail)."""

from __future__ import annotations

import logging
import sys

from dagster import Field, logger

LOG_RECORD_METADATA_ATTR = "dagster_meta"


class TerminalFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        meta = getattr(record, LOG_RECORD_METADATA_ATTR, None) or {}
        message = meta.get("orig_message", record.getMessage()).strip().splitlines()
        step = meta.get("step_key")
        text = message[0] if message else ""
        return f"      {step}: {text}" if step else f"      {text}"


class SkipDagsterEvents(logging.Filter):
    """Framework events (step started, output stored, a failure) are summarised by the command
    itself from the run's result; only messages the platform logs are printed as they come."""

    def filter(self, record: logging.LogRecord) -> bool:
        meta = getattr(record, LOG_RECORD_METADATA_ATTR, None) or {}
        return meta.get("dagster_event") is None


@logger(
    {"log_level": Field(str, is_required=False, default_value="INFO")},
    description="One short line per message on standard output (used by fitness-platform).",
)
def terminal_logger(init_context):
    level = init_context.logger_config["log_level"]
    log = logging.getLogger("fitness_platform.terminal")
    log.setLevel(level)
    log.propagate = False
    if not log.handlers:
        handler = logging.StreamHandler(sys.stdout)
        handler.setFormatter(TerminalFormatter())
        handler.addFilter(SkipDagsterEvents())
        log.addHandler(handler)
    return log
