-- Each athlete's most recent session (any source), for the coach's roster: one backward step of
-- the (athlete_id, workout_date) index per athlete, instead of grouping every workout.
SELECT a.athlete_key, w.last_session
FROM fitness.athletes a
CROSS JOIN LATERAL (
    SELECT max(workout_date) AS last_session FROM fitness.workouts WHERE athlete_id = a.athlete_id
) w
WHERE w.last_session IS NOT NULL
ORDER BY a.athlete_key;
