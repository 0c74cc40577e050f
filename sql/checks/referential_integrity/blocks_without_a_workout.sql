-- Exercise blocks whose workout does not exist.
-- foreign_key: workout_exercises (workout_id) -> workouts (workout_id)
SELECT count(*) FROM fitness.workout_exercises we
LEFT JOIN fitness.workouts w USING (workout_id)
WHERE w.workout_id IS NULL;
