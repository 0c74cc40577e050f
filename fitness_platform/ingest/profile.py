"""An athlete's settings file, ``data/raw/<athlete>/athlete.toml``.

display_name = "Ana Souza"
weight_unit = "kg"        # or "lb": the unit of weights in exports that do not state one
distance_unit = "km"      # or "mi"
time_zone = "America/Sao_Paulo"   # exports carry local wall-clock times; API times convert to it
hevy_api_key_env = "ANA_HEVY_API_KEY"   # the variable holding the Hevy API key (never the key)

[targets]                 # optional; a target not set gives null adherence, never 0
sessions_per_week = 4
calories_kcal = 2400      # per day (a cycle's target in cycles.csv wins for its days)
protein_g = 160           # per day

[report]                  # optional
email_to = ["ana@example.com", "coach@example.com"]   # FITNESS_EMAIL=ses sends the weekly report
"""

from __future__ import annotations

import re
import tomllib
import zoneinfo
from pathlib import Path

from fitness_platform.errors import ExportError

KEYS = {
    "display_name",
    "weight_unit",
    "distance_unit",
    "time_zone",
    "hevy_api_key_env",
    "targets",
    "report",
}
REPORT_KEYS = {"email_to"}
EMAIL_ADDRESS = re.compile(r"^[^@\s<>,;\"]+@[^@\s<>,;\"]+\.[^@\s<>,;\"]+$")
# [targets]: name → (lowest, highest) plausible value; each is per day but sessions (per week).
TARGETS = {
    "sessions_per_week": (0.5, 21.0),
    "calories_kcal": (500.0, 10_000.0),
    "protein_g": (10.0, 1_000.0),
}
ENV_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
UNITS = {"weight_unit": {"kg", "lb", "lbs"}, "distance_unit": {"km", "mi"}}
SETTINGS_FILE = "athlete.toml"


def load_profile(path: Path, content: bytes | None = None) -> dict:
    """The settings of ``athlete.toml`` (its ``content`` when the caller has already read it)."""
    try:
        raw = path.read_bytes() if content is None else content
        data = tomllib.loads(raw.decode("utf-8"))
    except OSError as exc:
        raise ExportError(path, f"cannot be read ({exc.strerror})") from exc
    except UnicodeDecodeError as exc:
        raise ExportError(path, "not UTF-8 text") from exc
    except tomllib.TOMLDecodeError as exc:
        raise ExportError(path, f"not valid TOML ({exc})") from exc
    unknown = sorted(set(data) - KEYS)
    if unknown:
        raise ExportError(
            path,
            f"unknown setting {unknown[0]!r}; known: {', '.join(sorted(KEYS))}",
            column=unknown[0],
        )
    for key, allowed in UNITS.items():
        if key in data and str(data[key]).lower() not in allowed:
            raise ExportError(
                path, f"{key} must be one of {', '.join(sorted(allowed))}", column=key
            )
    if "time_zone" in data:
        try:
            zoneinfo.ZoneInfo(str(data["time_zone"]))
        except (zoneinfo.ZoneInfoNotFoundError, ValueError) as exc:
            raise ExportError(
                path, f"unknown time zone {data['time_zone']!r}", column="time_zone"
            ) from exc
    key_env = data.get("hevy_api_key_env")
    if key_env is not None and not (isinstance(key_env, str) and ENV_NAME.match(key_env)):
        raise ExportError(
            path,
            "hevy_api_key_env must be the name of an environment variable (such as "
            "ANA_HEVY_API_KEY), never the key itself",
            column="hevy_api_key_env",
        )
    targets = _targets(path, data.get("targets", {}))
    email_to = _report(path, data.get("report", {}))
    return {
        "report_email_to": email_to,
        "hevy_api_key_env": key_env,
        **{f"target_{name}": value for name, value in targets.items()},
        "display_name": data.get("display_name"),
        "weight_unit": str(data.get("weight_unit", "")).lower() or None,
        "distance_unit": str(data.get("distance_unit", "")).lower() or None,
        "time_zone": data.get("time_zone"),
    }


def _report(path: Path, table) -> list[str]:
    """``[report] email_to``: the addresses the weekly report is e-mailed to (may be none)."""
    if not isinstance(table, dict):
        raise ExportError(path, "report must be a table ([report])", column="report")
    unknown = sorted(set(table) - REPORT_KEYS)
    if unknown:
        raise ExportError(
            path,
            f"unknown report setting {unknown[0]!r}; known: {', '.join(sorted(REPORT_KEYS))}",
            column=f"report.{unknown[0]}",
        )
    addresses = table.get("email_to", [])
    if isinstance(addresses, str):
        addresses = [addresses]
    if not isinstance(addresses, list):
        raise ExportError(
            path, "report.email_to must be a list of addresses", column="report.email_to"
        )
    for address in addresses:
        if not isinstance(address, str) or not EMAIL_ADDRESS.match(address.strip()):
            raise ExportError(
                path,
                f"report.email_to holds {address!r}, which is not an e-mail address",
                column="report.email_to",
            )
    return sorted({a.strip() for a in addresses})


def _targets(path: Path, table) -> dict[str, float | None]:
    if not isinstance(table, dict):
        raise ExportError(path, "targets must be a table ([targets])", column="targets")
    unknown = sorted(set(table) - set(TARGETS))
    if unknown:
        raise ExportError(
            path,
            f"unknown target {unknown[0]!r}; known: {', '.join(TARGETS)}",
            column=f"targets.{unknown[0]}",
        )
    found: dict[str, float | None] = {}
    for name, (low, high) in TARGETS.items():
        value = table.get(name)
        if value is not None and (
            isinstance(value, bool)
            or not isinstance(value, (int, float))
            or not low <= value <= high
        ):
            raise ExportError(
                path,
                f"targets.{name} must be a number from {low:g} to {high:g}",
                column=f"targets.{name}",
            )
        found[name] = None if value is None else float(value)
    return found
