-- Exercises without a primary muscle group (the exercises are shared by every athlete, and few).
SELECT count(*) FROM fitness.exercises e
WHERE NOT EXISTS (SELECT 1 FROM fitness.exercise_muscle_map m
                  WHERE m.exercise_id = e.exercise_id AND m.role = 'primary');
