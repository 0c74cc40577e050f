-- In every exercise block, set_index runs 0, 1, 2, … without gaps.
-- asset: sets
-- metric: blocks_with_gaps
-- scope: athlete
SELECT w.athlete_id, a.athlete_key, w.start_time, e.exercise_name, we.exercise_order,
       array_agg(s.set_index ORDER BY s.set_index) AS set_indexes
FROM fitness.sets s
JOIN fitness.workout_exercises we USING (workout_exercise_id)
JOIN fitness.workouts w USING (workout_id)
JOIN fitness.athletes a USING (athlete_id)
JOIN fitness.exercises e ON e.exercise_id = we.exercise_id
GROUP BY 1, 2, 3, 4, 5
HAVING min(s.set_index) <> 0 OR max(s.set_index) + 1 <> count(*)
ORDER BY 2, 3, 5;
