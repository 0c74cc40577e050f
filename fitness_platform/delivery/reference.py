"""Reference numbers a report may state without them being in the payload: the record windows,
the weekly hard-set band, and the rules of the body and adherence metrics. The offline reporter,
the Bedrock prompt, the number check and the Gold SQL (``gold_exercise_records.sql``,
``gold_daily_body.sql``, ``gold_weekly_body.sql``, tested against this module) all read them from
here."""

RECORD_WINDOWS_WEEKS = (8, 52)
"""Personal records are flagged all-time and over these trailing windows (in weeks)."""

HARD_SET_RANGE = (10, 20)
"""The commonly cited weekly range of hard sets per muscle group."""

TREND_SMOOTHING_PCT = 10
"""The trend weight moves this share of the gap to each day's weigh-in (the Hacker's Diet trend)."""

RATE_WINDOW_DAYS = 20
"""The weekly rate of change of the trend is measured over this many days."""
RATE_MIN_WEIGH_INS = 4
"""... and needs at least this many weigh-ins in the 21 days to the week's Sunday."""

EXPENDITURE_WINDOW_DAYS = 28
"""Expenditure is estimated over the 28 days to the week's Sunday ..."""
EXPENDITURE_MIN_INTAKE_DAYS = 21
"""... with intake logged on at least this many of them ..."""
EXPENDITURE_MIN_WEIGH_INS = 8
"""... and at least this many weigh-ins; "high" confidence from these counts up:"""
EXPENDITURE_HIGH_CONFIDENCE = (26, 20)
KCAL_PER_KG = 7700
"""Energy per kg of body-weight change (Wishnofsky 1958: 3,500 kcal per pound)."""

CALORIE_TOLERANCE_PCT = 10
"""A day's calories are on target within this share of the day's target, either way."""
PROTEIN_MIN_PCT = 90
"""A day's protein is on target from this share of the day's target up (more is not a miss)."""

MAIN_LIFTS = 3
"""An athlete's main lifts in a week: the exercises with an e1RM that have the most working sets
over the trailing 12 weeks (this one included; ties by name), at most this many."""
MAIN_LIFT_WINDOW_WEEKS = 12
# The international avoirdupois pound (1959), exactly: reports in lb convert with it.
KG_PER_LB = 0.45359237
HISTORY_WEEKS = 8
# The main lifts' weekly best e1RM reaches further back: the report's chart shows 12 weeks.
LIFT_HISTORY_WEEKS = 12
"""A payload carries this many calendar weeks of history, the week itself the last."""

STALL_WEEKS = 3
"""A main lift is stalled when its best e1RM has not beaten its previous best for this many
trained weeks (weeks with an e1RM)."""
DELOAD_PCT = 60
"""A deload week: working sets or tonnage at most this share of the mean of the previous ..."""
DELOAD_BASELINE_WEEKS = 4
"""... this many calendar weeks (weeks without training count 0; the week needs that history)."""
ACWR_BAND = (0.8, 1.3)
"""Acute:chronic workload ratio band (hard sets this week / mean of the previous 4 weeks)."""
ACWR_CHRONIC_WEEKS = 4
CYCLE_EDGE_WEEKS = 3
"""A cycle's strength is compared between its first and its last three trained weeks of each
main lift (in a cycle with fewer than six, the first and the last half)."""

REFERENCE_CONSTANTS = frozenset(
    {
        *RECORD_WINDOWS_WEEKS,
        *HARD_SET_RANGE,
        TREND_SMOOTHING_PCT,
        RATE_WINDOW_DAYS,
        EXPENDITURE_WINDOW_DAYS,
        KCAL_PER_KG,
        CALORIE_TOLERANCE_PCT,
        PROTEIN_MIN_PCT,
        MAIN_LIFT_WINDOW_WEEKS,
        HISTORY_WEEKS,
        LIFT_HISTORY_WEEKS,
        STALL_WEEKS,
        DELOAD_PCT,
        DELOAD_BASELINE_WEEKS,
        *ACWR_BAND,
        ACWR_CHRONIC_WEEKS,
        CYCLE_EDGE_WEEKS,
    }
)
