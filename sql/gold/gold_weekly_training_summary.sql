-- One row per athlete and ISO week with a workout: sessions, working sets, tonnage (effective load ×
-- reps), minutes, cardio, and the working sets that needed a bodyweight no source gave.
-- grain: athlete_id, week_start
WITH sessions AS (
    SELECT athlete_id, date_trunc('week', workout_date)::date AS week_start,
           count(*) AS training_sessions, sum(duration_minutes) AS training_minutes
    FROM fitness.workouts
    GROUP BY 1, 2
), sets AS (
    SELECT athlete_id, week_start,
           count(*) FILTER (WHERE is_working) AS total_sets,
           count(*) FILTER (WHERE is_working AND set_type = 'failure') AS failure_sets,
           avg(reps) FILTER (WHERE is_working) AS avg_reps_per_set,
           sum(load_kg * reps) FILTER (WHERE is_working) AS tonnage_kg,
           count(*) FILTER (WHERE is_working AND lacks_bodyweight) AS sets_without_bodyweight,
           count(DISTINCT workout_id) FILTER (WHERE is_cardio) AS cardio_sessions,
           sum(duration_seconds) FILTER (WHERE is_cardio) / 60.0 AS cardio_minutes,
           sum(distance_km) FILTER (WHERE is_cardio) AS cardio_distance_km
    FROM gold_set_facts
    GROUP BY 1, 2
)
SELECT
    x.athlete_id,
    x.week_start,
    x.training_sessions,
    coalesce(s.total_sets, 0) AS total_sets,
    coalesce(s.failure_sets, 0) AS failure_sets,
    s.avg_reps_per_set,
    coalesce(s.tonnage_kg, 0) AS tonnage_kg,
    coalesce(s.sets_without_bodyweight, 0) AS sets_without_bodyweight,
    x.training_minutes,
    coalesce(s.cardio_sessions, 0) AS cardio_sessions,
    coalesce(s.cardio_minutes, 0) AS cardio_minutes,
    s.cardio_distance_km
FROM sessions x
LEFT JOIN sets s USING (athlete_id, week_start)
