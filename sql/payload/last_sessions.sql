-- Each athlete's most recent session (any source), for the coach's roster.
SELECT a.athlete_key, max(w.workout_date) AS last_session
FROM fitness.athletes a
JOIN fitness.workouts w USING (athlete_id)
GROUP BY a.athlete_key
ORDER BY a.athlete_key;
