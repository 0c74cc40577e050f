-- Staging for the shared exercise dimension (exercises, muscle groups and their map), which a
-- load of many athletes upserts once, in its own transaction, before loading the athletes.
CREATE TEMP TABLE stage_exercises (
    exercise_key text, exercise_name text, exercise_type text, equipment text, is_cardio boolean,
    catalog_source text, primary_muscle_group text, secondary_muscle_groups text
) ON COMMIT DROP;
