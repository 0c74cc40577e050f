"""Workout timestamps as trackers write them; no time zone is given, they are local wall clock."""

from __future__ import annotations

import re
import unicodedata
from datetime import datetime

# Month names and abbreviations in the account languages Hevy and Strong export in.
_MONTHS = {
    1: "jan january janeiro jan. enero ene ene. janvier janv janv. januar jän jän. gennaio gen gen.",
    2: "feb february fevereiro fev fev. febrero feb. février févr févr. februar febbraio",
    3: "mar march março marco mar. marzo mars märz mär mär. marz",
    4: "apr april abril abr abr. avril avr avr. aprile",
    5: "may maio mai mayo may. mai. maggio mag mag.",
    6: "jun june junho jun. junio juin juni giugno giu giu.",
    7: "jul july julho jul. julio juillet juil juil. juli luglio lug lug.",
    8: "aug august agosto ago ago. août aout aug.",
    9: "sep sept september setembro set set. septiembre sep. septembre sept. settembre",
    10: "oct october outubro out out. octubre oct. octobre oktober okt okt. ottobre ott ott.",
    11: "nov november novembro nov. noviembre novembre",
    12: "dec december dezembro dez dez. diciembre dic dic. décembre déc déc. dezember dicembre",
}


def _fold(word: str) -> str:
    word = unicodedata.normalize("NFKD", word.lower().strip().rstrip("."))
    return "".join(c for c in word if not unicodedata.combining(c))


MONTHS: dict[str, int] = {}
for _number, _names in _MONTHS.items():
    for _name in _names.split():
        MONTHS[_fold(_name)] = _number

_CLOCK = r"(?P<h>\d{1,2})[:h.](?P<mi>\d{2})(?::(?P<s>\d{2}))?\s*(?P<ampm>[ap]\.?\s?m\.?)?"
_PATTERNS = [
    # 2026-01-13T18:43:00, 2026-01-13 18:43:00, 2026-01-13 18:43
    re.compile(
        r"^(?P<y>\d{4})-(?P<m>\d{1,2})-(?P<d>\d{1,2})[T ]" + _CLOCK + r"(?:\.\d+)?(?:Z)?$", re.I
    ),
    # 13 Jan 2026, 18:43 | 4 de set. de 2026, 15:16 | 13. Jan. 2026, 18:43 | 13 janv. 2026 à 18:43
    re.compile(
        r"^(?P<d>\d{1,2})\.?\s+(?:de\s+)?(?P<mon>[^\W\d_][\w.]*)\s+(?:de\s+)?(?P<y>\d{4})"
        r"\s*(?:,|\s+(?:at|à|a las|às|as|um|alle)\s+|\s)\s*" + _CLOCK + r"$",
        re.I,
    ),
    # Jan 13, 2026, 6:43 PM | Jan 13, 2026 at 6:43 PM
    re.compile(
        r"^(?P<mon>[^\W\d_][\w.]*)\s+(?P<d>\d{1,2}),?\s+(?P<y>\d{4})"
        r"\s*(?:,|\s+at\s+|\s)\s*" + _CLOCK + r"$",
        re.I,
    ),
    # 13/01/2026 18:43 (day first, as the European apps write it)
    re.compile(r"^(?P<d>\d{1,2})/(?P<m>\d{1,2})/(?P<y>\d{4}),?\s+" + _CLOCK + r"$", re.I),
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
        ampm = (parts.get("ampm") or "").replace(".", "").replace(" ", "").lower()
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
