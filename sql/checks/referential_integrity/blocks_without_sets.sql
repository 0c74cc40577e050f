-- Exercise blocks that hold no set (no constraint can say this: each athlete's blocks are looked at).
-- scope: athlete
SELECT w.athlete_id, w.start_time, we.exercise_order
FROM fitness.workouts w
JOIN fitness.workout_exercises we ON we.workout_id = w.workout_id
WHERE NOT EXISTS (SELECT 1 FROM fitness.sets s WHERE s.workout_exercise_id = we.workout_exercise_id)
ORDER BY 2, 3;
