-- One row per workout: the bodyweight its bodyweight moves are loaded with. The latest weigh-in on
-- or before the workout's date within 14 days; else the earliest within the 14 days after; else
-- none (and the sets that needed it have no load).
-- grain: workout_id
SELECT
    w.workout_id,
    w.athlete_id,
    coalesce(bw_before.bodyweight_kg, bw_after.bodyweight_kg) AS bodyweight_kg,
    coalesce(bw_before.measured_on, bw_after.measured_on) AS bodyweight_date,
    coalesce(bw_before.source, bw_after.source) AS bodyweight_source
FROM fitness.workouts w
LEFT JOIN LATERAL (
    SELECT b.bodyweight_kg, b.measured_on, b.source
    FROM fitness.bodyweight_daily b
    WHERE b.athlete_id = w.athlete_id
      AND b.measured_on BETWEEN w.workout_date - 14 AND w.workout_date
    ORDER BY b.measured_on DESC
    LIMIT 1
) bw_before ON true
LEFT JOIN LATERAL (
    SELECT b.bodyweight_kg, b.measured_on, b.source
    FROM fitness.bodyweight_daily b
    WHERE bw_before.bodyweight_kg IS NULL
      AND b.athlete_id = w.athlete_id
      AND b.measured_on > w.workout_date AND b.measured_on <= w.workout_date + 14
    ORDER BY b.measured_on
    LIMIT 1
) bw_after ON true
