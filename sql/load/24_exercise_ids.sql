-- The ids of the given exercise keys (run on the driver's cursor: psycopg placeholders).
SELECT exercise_key, exercise_id FROM fitness.exercises WHERE exercise_key = ANY(%(keys)s);
