-- Exercise blocks on (workout, block position); a repeated exercise has one row per block.
CREATE TEMP TABLE stage_blocks_keyed ON COMMIT DROP AS
SELECT w.workout_id, b.exercise_order, e.exercise_id, b.superset_id, b.notes
FROM stage_blocks b
JOIN fitness.workouts w
  ON w.athlete_id = :athlete_id AND w.source = b.source AND w.start_time = b.start_time
JOIN fitness.exercises e ON e.exercise_key = b.exercise_key;

WITH upserted AS (
    INSERT INTO fitness.workout_exercises AS we
        (workout_id, exercise_id, exercise_order, superset_id, notes)
    SELECT workout_id, exercise_id, exercise_order, superset_id, notes FROM stage_blocks_keyed
    ON CONFLICT (workout_id, exercise_order) DO UPDATE
    SET exercise_id = EXCLUDED.exercise_id, superset_id = EXCLUDED.superset_id,
        notes = EXCLUDED.notes
    WHERE (we.exercise_id, we.superset_id, we.notes)
          IS DISTINCT FROM (EXCLUDED.exercise_id, EXCLUDED.superset_id, EXCLUDED.notes)
    RETURNING (xmax = 0) AS inserted
)
SELECT count(*) FILTER (WHERE inserted) AS inserted, count(*) FILTER (WHERE NOT inserted) AS updated
FROM upserted;
