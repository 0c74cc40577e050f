"""The unit an athlete reads weights in. The payload stays in kilograms and names the display unit
(``display.weight_unit``); reports and charts convert at the last moment, one rounding."""

from __future__ import annotations

from dataclasses import dataclass

from fitness_platform.delivery.reference import KG_PER_LB

WEIGHT_UNITS = ("kg", "lb")


def display_unit(payload: dict) -> str:
    return (payload.get("display") or {}).get("weight_unit") or "kg"


@dataclass(frozen=True)
class Units:
    weight: str = "kg"

    def __post_init__(self):
        if self.weight not in WEIGHT_UNITS:
            raise ValueError(f"unknown weight unit {self.weight!r}; known: {WEIGHT_UNITS}")

    @classmethod
    def of(cls, payload: dict) -> Units:
        return cls(display_unit(payload))

    def kg(self, value: float | None) -> float | None:
        """A weight in kilograms in the display unit, to 1 decimal in pounds (kg stay as given)."""
        if value is None or self.weight == "kg":
            return value
        return round(value / KG_PER_LB, 1)

    def weights(self, values: list) -> list:
        return [self.kg(v) for v in values]
