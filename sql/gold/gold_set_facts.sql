-- One row per set with its athlete, week and exercise; working sets and Epley e1RM flagged.
-- grain: set_id
-- kind: view
SELECT
    s.set_id,
    w.athlete_id,
    w.workout_id,
    w.workout_date,
    date_trunc('week', w.workout_date)::date AS week_start,
    e.exercise_id,
    e.is_cardio,
    s.set_type,
    s.weight_kg,
    s.reps,
    s.distance_km,
    s.duration_seconds,
    (s.set_type <> 'warmup' AND NOT e.is_cardio) AS is_working,
    CASE WHEN s.weight_kg IS NOT NULL AND s.reps BETWEEN 1 AND 12
         THEN s.weight_kg * (1 + s.reps / 30.0) END AS e1rm_kg
FROM fitness.sets s
JOIN fitness.workout_exercises we ON we.workout_exercise_id = s.workout_exercise_id
JOIN fitness.workouts w ON w.workout_id = we.workout_id
JOIN fitness.exercises e ON e.exercise_id = we.exercise_id
