-- Blocks the re-export no longer holds (their sets were removed by the set step before this).
WITH deleted AS (
    DELETE FROM fitness.workout_exercises we
    USING fitness.workouts w
    WHERE we.workout_id = w.workout_id AND w.athlete_id = :athlete_id
      AND w.source IN (SELECT DISTINCT source FROM stage_workouts)
      AND NOT EXISTS (SELECT 1 FROM stage_blocks_keyed k
                      WHERE k.workout_id = we.workout_id AND k.exercise_order = we.exercise_order)
    RETURNING 1
)
SELECT count(*) AS deleted FROM deleted;
