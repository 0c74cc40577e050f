-- The athlete's workouts and their ids (run on the driver's cursor: psycopg placeholders).
SELECT source, start_time, workout_id FROM fitness.workouts WHERE athlete_id = %(athlete_id)s;
