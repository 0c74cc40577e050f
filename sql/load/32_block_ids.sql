-- The ids of the athlete's exercise blocks, by workout and position (psycopg placeholders).
SELECT we.workout_id, we.exercise_order, we.workout_exercise_id
FROM fitness.workouts w
JOIN fitness.workout_exercises we USING (workout_id)
WHERE w.athlete_id = %(athlete_id)s;
