-- Workouts last between 10 minutes and 4 hours.
-- asset: workouts
-- metric: out_of_bounds
-- scope: athlete
SELECT w.athlete_id, a.athlete_key, w.start_time, w.workout_name, w.duration_minutes
FROM fitness.workouts w JOIN fitness.athletes a USING (athlete_id)
WHERE w.duration_minutes < 10 OR w.duration_minutes > 240
ORDER BY 2, 3;
