"""Row-level rules shared by the parsers: quarantine bookkeeping and numeric parsing."""

from __future__ import annotations

import json
import math

import numpy as np
import pandas as pd
import pandera.pandas as pa

REJECT_COLUMNS = ["athlete_key", "source_file", "source_line", "rule", "row_date", "raw_values"]


class Quarantine:
    """Collects (row label → rule) hits; a row may break several rules and is reported under each."""

    def __init__(self) -> None:
        self._hits: list[tuple[pd.Index, str]] = []
        self._kept: list[tuple[pd.Index, str]] = []

    def keep(self, mask: pd.Series, rule: str) -> None:
        """Record a rule broken by a part of a row that is dropped (an over-long note) while the
        row itself is kept: it is listed among the rejects, but not removed."""
        mask = mask.fillna(False).astype(bool)
        if mask.any():
            self._kept.append((mask.index[mask.to_numpy()], rule))

    def add(self, mask: pd.Series, rule: str) -> None:
        mask = mask.fillna(False).astype(bool)
        if mask.any():
            self._hits.append((mask.index[mask.to_numpy()], rule))

    def add_labels(self, labels, rule: str) -> None:
        labels = pd.Index(labels)
        if len(labels):
            self._hits.append((labels, rule))

    def add_schema_failures(self, frame: pd.DataFrame, schema: pa.DataFrameSchema) -> None:
        """Validate lazily and quarantine each failing row under the name of the check it broke."""
        try:
            schema.validate(frame, lazy=True)
        except pa.errors.SchemaErrors as exc:
            cases = exc.failure_cases
            cases = cases[cases["index"].notna()]
            for rule, group in cases.groupby("check"):
                self.add_labels(pd.Index(group["index"].unique()), str(rule))

    @property
    def labels(self) -> pd.Index:
        if not self._hits:
            return pd.Index([])
        return pd.Index(sorted(set().union(*[set(i) for i, _ in self._hits])))

    def rejects(
        self,
        raw: pd.DataFrame,
        *,
        athlete_key: str,
        source_file: str,
        row_dates: pd.Series | None = None,
    ) -> pd.DataFrame:
        """One reject row per (row, rule), carrying the row's raw cells verbatim."""
        records = []
        for labels, rule in [*self._hits, *self._kept]:
            for label in labels:
                values = raw.loc[label].drop(labels=["_line"]).to_dict()
                row_date = None
                if row_dates is not None:
                    value = row_dates.get(label)
                    row_date = None if value is None or pd.isna(value) else value
                records.append(
                    {
                        "athlete_key": athlete_key,
                        "source_file": source_file,
                        "source_line": int(raw.at[label, "_line"]),
                        "rule": rule,
                        "row_date": row_date,
                        "raw_values": json.dumps(values, ensure_ascii=False, sort_keys=True),
                    }
                )
        frame = pd.DataFrame(records, columns=REJECT_COLUMNS)
        frame = frame.drop_duplicates(["source_file", "source_line", "rule"])
        return frame.sort_values(["source_line", "rule"]).reset_index(drop=True)


def _number(cell: str) -> tuple[float, bool]:
    """(value, is_bad) of one cell; a decimal comma ("52,5") counts when it is the only separator."""
    text = cell.strip()
    if not text:
        return math.nan, False
    if "," in text and "." not in text:
        text = text.replace(",", ".")
    try:
        value = float(text)
    except ValueError:
        return math.nan, True
    # "nan", "inf" and 1e400 are not numbers a tracker writes: refused like any other text.
    return (value, False) if math.isfinite(value) else (math.nan, True)


def to_number(series: pd.Series) -> tuple[pd.Series, pd.Series]:
    """Parse cells as numbers; returns (values, mask of non-empty cells that are not numbers).

    Export columns hold few distinct values (weights, reps), so each is parsed once."""
    codes, uniques = pd.factorize(series.fillna("").astype(str))
    parsed = [_number(cell) for cell in uniques]
    values = np.array([v for v, _ in parsed], dtype="float64")
    bad = np.array([b for _, b in parsed], dtype=bool)
    return (
        pd.Series(values[codes], index=series.index, name=series.name),
        pd.Series(bad[codes], index=series.index, name=series.name),
    )


def map_unique(series: pd.Series, fn) -> pd.Series:
    """``series.map(fn)`` evaluating ``fn`` once per distinct value (missing values stay missing).

    ``Series.map`` calls back into Python for every cell; factorising first keeps the per-cell
    work in numpy, which matters at a million rows."""
    codes, uniques = pd.factorize(series)
    mapped = np.array([fn(value) for value in uniques] + [np.nan], dtype=object)
    result = pd.Series(mapped[codes], index=series.index, name=series.name)
    return result.infer_objects()


def named_check(fn, name: str, **kwargs) -> pa.Check:
    return pa.Check(fn, name=name, error=name, **kwargs)
