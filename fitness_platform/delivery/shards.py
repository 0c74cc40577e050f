"""Athlete shards: one delivery backfill split into runs that a run launcher spreads over workers.

A run tagged ``fitness/athlete_shard = "<i>/<n>"`` builds the payloads, reports, site pages and
e-mails of the athletes in shard ``i`` of ``n`` only (1 ≤ i ≤ n). An athlete's shard is fixed by
its key (the first 8 bytes of its sha256, modulo ``n``), so every athlete belongs to exactly one
shard of ``n`` and keeps it from run to run. Shard runs write disjoint files; together they write
what one unsharded run writes."""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass

from fitness_platform.errors import ConfigurationError

SHARD_TAG = "fitness/athlete_shard"
_SHARD = re.compile(r"^\s*(\d+)\s*/\s*(\d+)\s*$")
MAX_SHARDS = 1024


@dataclass(frozen=True)
class Shard:
    index: int
    """1-based: shard ``index`` of ``count``."""
    count: int

    def __str__(self) -> str:
        return f"{self.index}/{self.count}"

    def holds(self, athlete_key: str) -> bool:
        return shard_number(athlete_key, self.count) == self.index

    def select(self, athletes: list[str]) -> list[str]:
        return [a for a in athletes if self.holds(a)]


def shard_number(athlete_key: str, count: int) -> int:
    """The 1-based shard of ``count`` that an athlete belongs to."""
    digest = hashlib.sha256(athlete_key.encode()).digest()
    return int.from_bytes(digest[:8], "big") % count + 1


def parse_shard(value: str | None) -> Shard | None:
    """``"2/8"`` → Shard(2, 8); None or "" → None (every athlete)."""
    if value is None or not value.strip():
        return None
    match = _SHARD.match(value)
    if not match:
        raise ConfigurationError(
            f"run tag {SHARD_TAG}={value!r} is not '<i>/<n>' (for example '2/8': the second of "
            "eight shards)"
        )
    index, count = int(match.group(1)), int(match.group(2))
    if not 1 <= count <= MAX_SHARDS or not 1 <= index <= count:
        raise ConfigurationError(f"run tag {SHARD_TAG}={value!r}: needs 1 ≤ i ≤ n ≤ {MAX_SHARDS}")
    return Shard(index, count)


def run_shard(context) -> Shard | None:
    """The shard a run is tagged with, or None for every athlete."""
    return parse_shard(context.run.tags.get(SHARD_TAG))


def shard_athletes(context, athletes: list[str]) -> list[str]:
    """The athletes of ``athletes`` this run delivers (all of them in an unsharded run)."""
    shard = run_shard(context)
    if shard is None:
        return athletes
    chosen = shard.select(athletes)
    context.log.info(f"athlete shard {shard}: {len(chosen)} of {len(athletes)} athletes")
    return chosen


def shard_tags(index: int, count: int) -> dict[str, str]:
    return {SHARD_TAG: str(Shard(index, count))}
