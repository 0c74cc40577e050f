-- Sets whose exercise block does not exist.
-- foreign_key: sets (workout_exercise_id) -> workout_exercises (workout_exercise_id)
SELECT count(*) FROM fitness.sets s
LEFT JOIN fitness.workout_exercises we USING (workout_exercise_id)
WHERE we.workout_exercise_id IS NULL;
