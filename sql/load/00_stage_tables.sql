-- Staging tables: COPY targets for one athlete's silver rows. They live as long as the session
-- and every commit empties them (warehouse/load.py: create_staging_tables runs this file once).
CREATE TEMP TABLE IF NOT EXISTS stage_workouts (
    source text, start_time timestamp, end_time timestamp, workout_name text, description text
) ON COMMIT DELETE ROWS;
CREATE TEMP TABLE IF NOT EXISTS stage_blocks (
    source text, start_time timestamp, exercise_order integer, exercise_key text,
    superset_id integer, notes text
) ON COMMIT DELETE ROWS;
CREATE TEMP TABLE IF NOT EXISTS stage_sets (
    source text, start_time timestamp, exercise_order integer, set_index integer, set_type text,
    weight_kg numeric(8, 2), reps integer, distance_km numeric(10, 3), duration_seconds integer,
    rpe numeric(3, 1)
) ON COMMIT DELETE ROWS;
CREATE TEMP TABLE IF NOT EXISTS stage_cycles (
    cycle_number integer, cycle_name text, cycle_type text, start_date date, end_date date,
    target_calories_kcal numeric(7, 1), target_protein_g numeric(6, 1)
) ON COMMIT DELETE ROWS;
CREATE TEMP TABLE IF NOT EXISTS stage_diet (
    diet_date date, carbs_g numeric(8, 2), protein_g numeric(8, 2), fat_g numeric(8, 2),
    calories_kcal numeric(8, 2), cardio_weekly_min numeric(8, 2), cycle_number integer,
    bodyweight_kg numeric(6, 2), notes text
) ON COMMIT DELETE ROWS;
CREATE TEMP TABLE IF NOT EXISTS stage_rejected (
    source_file text, source_line integer, rule text, row_date date, raw_values jsonb
) ON COMMIT DELETE ROWS;
CREATE TEMP TABLE IF NOT EXISTS stage_corrections (
    workout_start timestamp, exercise_title text, block integer, set_index integer, field text,
    old_value text, new_value text, reason text
) ON COMMIT DELETE ROWS;
CREATE TEMP TABLE IF NOT EXISTS stage_hevy_deletions (
    hevy_id text, deleted_at timestamptz, start_time timestamp, title text
) ON COMMIT DELETE ROWS;
CREATE TEMP TABLE IF NOT EXISTS stage_body (
    measured_on date, source text, weight_kg numeric(6, 2), fat_percent numeric(5, 2),
    lean_mass_kg numeric(6, 2), neck_cm numeric(6, 1), shoulder_cm numeric(6, 1),
    chest_cm numeric(6, 1), left_bicep_cm numeric(6, 1), right_bicep_cm numeric(6, 1),
    left_forearm_cm numeric(6, 1), right_forearm_cm numeric(6, 1), abdomen_cm numeric(6, 1),
    waist_cm numeric(6, 1), hips_cm numeric(6, 1), left_thigh_cm numeric(6, 1),
    right_thigh_cm numeric(6, 1), left_calf_cm numeric(6, 1), right_calf_cm numeric(6, 1)
) ON COMMIT DELETE ROWS;
-- Not an export's rows: the bodyweight series the load derives (66_replace_bodyweight_daily.sql).
CREATE TEMP TABLE IF NOT EXISTS wanted_bodyweight (
    measured_on date, bodyweight_kg numeric, source text
) ON COMMIT DELETE ROWS;
