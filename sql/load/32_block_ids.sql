-- The ids of the athlete's exercise blocks, by workout and position (psycopg placeholders); the
-- function joins through the indexes even before the tables have statistics (schema 012).
SELECT workout_id, exercise_order, workout_exercise_id FROM fitness.athlete_blocks(%(athlete_id)s);
