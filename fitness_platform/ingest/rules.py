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
        """Validate lazily and quarantine each failing row under the name of the check it broke.

        The failing rows are found by ``schema_failures`` where it can (the same rows, about a
        tenth of pandera's time), and by pandera's failure cases where it cannot."""
        found = schema_failures(frame, schema)
        if found is not None:
            for labels, rule in found:
                self.add_labels(labels, rule)
            return
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


def schema_failures(frame: pd.DataFrame, schema: pa.DataFrameSchema) -> list | None:
    """``(row labels, rule)`` for every named check ``frame`` breaks, [] for none, as pandera's
    lazy validation finds them, without its per-check bookkeeping (which costs more than the
    checks: 10 ms for a five-row frame). Each column's dtype and nullability are pandera's own
    tests; each column check runs on the column's non-null values and each frame-wide check on
    the frame, as pandera's pandas backend runs them, and a row breaks a check where the result
    is False (a frame-wide result is forgiven on a row of nothing but nulls, as there).

    None when pandera has to decide: a wrong dtype or a null where none is allowed (its failure
    cases name those), a check whose result is not one boolean per row (a check over the whole
    column), a check that raises, or a schema feature this does not reproduce (coercion, parsers,
    uniqueness, regex columns, grouped, element-wise or built-in checks)."""
    from pandera.engines.pandas_engine import Engine

    if (
        schema.coerce
        or schema.strict
        or schema.unique
        or schema.index is not None
        or schema.parsers
        or schema.add_missing_columns
    ):
        return None
    found: list[tuple[pd.Index, str]] = []
    for name, column in schema.columns.items():
        if column.regex or column.coerce or column.unique or column.parsers:
            return None
        series = frame[name] if name in frame.columns else None
        if not isinstance(series, pd.Series):  # missing, or a duplicated label
            return None
        if column.dtype is not None:
            # One bool for the column, or one per value (pandera's test of a text column).
            ok = column.dtype.check(Engine.dtype(series.dtype), series)
            if not (
                isinstance(ok, bool | np.bool_) or getattr(ok, "dtype", None) == np.dtype(bool)
            ):
                return None
            if not np.all(ok):
                return None
        has_nulls = series.hasnans
        if has_nulls and not column.nullable:
            return None
        for check in column.checks:
            values = series.dropna() if check.ignore_na and has_nulls else series
            passed = _check_rows(check, values)
            if passed is None:
                return None
            if not passed.all():
                found.append((values.index[~passed], check.name))
    for check in schema.checks:
        passed = _check_rows(check, frame)
        if passed is None:
            return None
        if check.ignore_na:
            passed = passed | frame.isna().all(axis="columns").to_numpy()
        if not passed.all():
            found.append((frame.index[~passed], check.name))
    return found


def _check_rows(check: pa.Check, data) -> np.ndarray | None:
    """The check's result as one bool per row of ``data``, or None (see ``schema_failures``)."""
    if (
        check.groupby is not None
        or check.element_wise
        or check.is_builtin_check(getattr(check._check_fn, "__name__", ""))
        or not check.name
        or check.error not in (None, check.name)  # pandera files a failure under its error
    ):
        return None
    try:
        out = check._check_fn(data, **check._check_kwargs)
    except Exception:  # pandera reports it as the check's failure: let it
        return None
    if not isinstance(out, pd.Series) or out.dtype != bool or not out.index.equals(data.index):
        return None
    return out.to_numpy()


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

    Export columns hold few distinct values (weights, reps), so each is parsed once. A column of
    a CSV holds Python strings already: it is factorised as it is (a missing cell counts as a
    blank one), not first converted to pandas' text type, which costs more than the parsing."""
    if series.dtype == object:
        codes, uniques = pd.factorize(series.to_numpy())  # a missing cell gets code -1
        cells = [cell if isinstance(cell, str) else str(cell) for cell in uniques]
        parsed = [_number(cell) for cell in cells] + [(math.nan, False)]
    else:
        codes, uniques = pd.factorize(series.fillna("").astype(str))
        parsed = [_number(cell) for cell in uniques]
    values = np.array([v for v, _ in parsed], dtype="float64")
    bad = np.array([b for _, b in parsed], dtype=bool)
    return (
        pd.Series(values[codes], index=series.index, name=series.name),
        pd.Series(bad[codes], index=series.index, name=series.name),
    )


def map_unique(series: pd.Series, fn, *, infer: bool = True) -> pd.Series:
    """``series.map(fn)`` evaluating ``fn`` once per distinct value (missing values stay missing).

    ``Series.map`` calls back into Python for every cell; factorising first keeps the per-cell
    work in numpy, which matters at a million rows. With ``infer=False`` the result stays a
    column of Python objects (what ``series.str.<method>()`` gives for a column of text) instead
    of being converted to pandas' own types."""
    codes, uniques = pd.factorize(series)
    mapped = np.array([fn(value) for value in uniques] + [np.nan], dtype=object)
    if not infer:
        return pd.Series(mapped[codes], index=series.index, name=series.name, dtype=object)
    result = pd.Series(mapped[codes], index=series.index, name=series.name)
    return result.infer_objects()


def named_check(fn, name: str, **kwargs) -> pa.Check:
    return pa.Check(fn, name=name, error=name, **kwargs)
