"""Workout timestamps as trackers write them; no time zone is given, they are local wall clock."""

from __future__ import annotations

import re
import unicodedata
from datetime import datetime

# Month names and abbreviations of the export languages we hold real samples of (their origins:
# fitness_platform_tests/fixtures/ORIGINS.md, "Hevy"): English, Portuguese (pt-BR) and French.
# Hevy writes a workout's times in the account's language; a language we hold no sample of is
# refused by name ("start_time_unparseable") rather than read by a guessed layout.
_MONTHS = {
    1: "jan january jan. janeiro janvier janv janv.",
    2: "feb february feb. fevereiro fev fev. février févr févr.",
    3: "mar march mar. março marco mars",
    4: "apr april apr. abril abr abr. avril avr avr.",
    5: "may maio mai mai.",
    6: "jun june jun. junho juin",
    7: "jul july jul. julho juillet juil juil.",
    8: "aug august aug. agosto ago ago. août aout",
    9: "sep sept september sep. sept. setembro set set. septembre",
    10: "oct october oct. outubro out out. octobre",
    11: "nov november nov. novembro novembre",
    12: "dec december dec. dezembro dez dez. décembre déc déc.",
}


def _fold(word: str) -> str:
    word = unicodedata.normalize("NFKD", word.lower().strip().rstrip("."))
    return "".join(c for c in word if not unicodedata.combining(c))


MONTHS: dict[str, int] = {}
for _number, _names in _MONTHS.items():
    for _name in _names.split():
        MONTHS[_fold(_name)] = _number

_CLOCK = r"(?P<h>\d{1,2}):(?P<mi>\d{2})(?::(?P<s>\d{2}))?(?:\s*(?P<ampm>[AP]M))?"
_PATTERNS = [
    # ISO 8601 local time: 2026-01-13T18:43:00, 2026-01-13 18:43:00, 2026-01-13 18:43
    re.compile(
        r"^(?P<y>\d{4})-(?P<m>\d{1,2})-(?P<d>\d{1,2})[T ]" + _CLOCK + r"(?:\.\d+)?(?:Z)?$", re.I
    ),
    # day first: 13 Jan 2026, 18:43 (English) | 21 de set. de 2026, 21:22 (pt-BR) |
    # 3 févr. 2026, 18:00 (French)
    re.compile(
        r"^(?P<d>\d{1,2})\s+(?:de\s+)?(?P<mon>[^\W\d_][\w.]*)\s+(?:de\s+)?(?P<y>\d{4}),\s*"
        + _CLOCK
        + r"$",
        re.I,
    ),
    # month first (English, United States): Sep 21, 2026, 9:22 PM
    re.compile(
        r"^(?P<mon>[^\W\d_][\w.]*)\s+(?P<d>\d{1,2}),\s+(?P<y>\d{4}),\s*" + _CLOCK + r"$",
        re.I,
    ),
]


def parse_workout_time(value: str) -> datetime | None:
    """Parse one timestamp string; ``None`` when it matches no known layout."""
    text = " ".join(value.replace("\u202f", " ").replace("\xa0", " ").split())
    for pattern in _PATTERNS:
        match = pattern.match(text)
        if not match:
            continue
        parts = match.groupdict()
        if parts.get("mon"):
            month = MONTHS.get(_fold(parts["mon"]))
            if month is None:
                return None
        else:
            month = int(parts["m"])
        hour = int(parts["h"])
        ampm = (parts.get("ampm") or "").lower()
        if ampm:
            if not 1 <= hour <= 12:
                return None
            hour = hour % 12 + (12 if ampm == "pm" else 0)
        try:
            return datetime(
                int(parts["y"]),
                month,
                int(parts["d"]),
                hour,
                int(parts["mi"]),
                int(parts.get("s") or 0),
            )
        except ValueError:
            return None
    return None
