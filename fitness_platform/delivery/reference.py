"""Reference numbers a report may state without them being in the payload: the record windows
and the weekly hard-set band. The offline reporter, the Bedrock prompt, the number check and the
Gold SQL (``gold_exercise_records.sql``, tested against this module) all read them from here."""

RECORD_WINDOWS_WEEKS = (8, 52)
"""Personal records are flagged all-time and over these trailing windows (in weeks)."""

HARD_SET_RANGE = (10, 20)
"""The commonly cited weekly range of hard sets per muscle group."""

REFERENCE_CONSTANTS = frozenset({*RECORD_WINDOWS_WEEKS, *HARD_SET_RANGE})
