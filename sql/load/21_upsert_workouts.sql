-- Workouts on their natural key (athlete, source, start time); only changed rows are written.
WITH upserted AS (
    INSERT INTO fitness.workouts AS w
        (athlete_id, source, start_time, end_time, workout_date, duration_minutes, workout_name,
         description)
    SELECT :athlete_id, source, start_time, end_time, start_time::date,
           round(extract(epoch FROM end_time - start_time) / 60.0, 2), workout_name, description
    FROM stage_workouts
    ON CONFLICT (athlete_id, source, start_time) DO UPDATE
    SET end_time = EXCLUDED.end_time, duration_minutes = EXCLUDED.duration_minutes,
        workout_name = EXCLUDED.workout_name, description = EXCLUDED.description
    WHERE (w.end_time, w.workout_name, w.description)
          IS DISTINCT FROM (EXCLUDED.end_time, EXCLUDED.workout_name, EXCLUDED.description)
    RETURNING (xmax = 0) AS inserted
)
SELECT count(*) FILTER (WHERE inserted) AS inserted, count(*) FILTER (WHERE NOT inserted) AS updated
FROM upserted;
