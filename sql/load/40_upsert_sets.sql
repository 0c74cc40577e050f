-- Sets on (block, set_index): an edited set in a re-export updates in place; vanished sets go.
CREATE TEMP TABLE stage_sets_keyed ON COMMIT DROP AS
SELECT we.workout_exercise_id, s.set_index, s.set_type, s.weight_kg, s.reps, s.distance_km,
       s.duration_seconds, s.rpe
FROM stage_sets s
JOIN fitness.workouts w
  ON w.athlete_id = :athlete_id AND w.source = s.source AND w.start_time = s.start_time
JOIN fitness.workout_exercises we
  ON we.workout_id = w.workout_id AND we.exercise_order = s.exercise_order;

WITH deleted AS (
    DELETE FROM fitness.sets st
    USING fitness.workout_exercises we, fitness.workouts w
    WHERE st.workout_exercise_id = we.workout_exercise_id AND we.workout_id = w.workout_id
      AND w.athlete_id = :athlete_id
      AND w.source IN (SELECT DISTINCT source FROM stage_workouts)
      AND NOT EXISTS (SELECT 1 FROM stage_sets_keyed k
                      WHERE k.workout_exercise_id = st.workout_exercise_id
                        AND k.set_index = st.set_index)
    RETURNING 1
), upserted AS (
    INSERT INTO fitness.sets AS st
        (workout_exercise_id, set_index, set_type, weight_kg, reps, distance_km, duration_seconds,
         rpe)
    SELECT workout_exercise_id, set_index, set_type, weight_kg, reps, distance_km,
           duration_seconds, rpe
    FROM stage_sets_keyed
    ON CONFLICT (workout_exercise_id, set_index) DO UPDATE
    SET set_type = EXCLUDED.set_type, weight_kg = EXCLUDED.weight_kg, reps = EXCLUDED.reps,
        distance_km = EXCLUDED.distance_km, duration_seconds = EXCLUDED.duration_seconds,
        rpe = EXCLUDED.rpe
    WHERE (st.set_type, st.weight_kg, st.reps, st.distance_km, st.duration_seconds, st.rpe)
          IS DISTINCT FROM (EXCLUDED.set_type, EXCLUDED.weight_kg, EXCLUDED.reps,
                            EXCLUDED.distance_km, EXCLUDED.duration_seconds, EXCLUDED.rpe)
    RETURNING (xmax = 0) AS inserted
)
SELECT (SELECT count(*) FROM upserted WHERE inserted) AS inserted,
       (SELECT count(*) FROM upserted WHERE NOT inserted) AS updated,
       (SELECT count(*) FROM deleted) AS deleted;
