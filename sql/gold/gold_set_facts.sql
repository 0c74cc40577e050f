-- One row per set with its athlete, week and exercise; working sets flagged; the set's effective
-- load by the exercise's type (load_basis) and the Epley e1RM of that load.
--   external                    the logged weight (weight moves)
--   bodyweight                  the day's bodyweight, plus any weight logged on the set
--   bodyweight_plus_added       the day's bodyweight plus the added weight (weighted moves)
--   bodyweight_minus_assistance the day's bodyweight less the assistance, never below 0
--   none                        no load (cardio, timed holds, reps-only moves)
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
    basis.load_basis,
    b.bodyweight_kg,
    load.load_kg,
    (basis.load_basis IN ('bodyweight', 'bodyweight_plus_added', 'bodyweight_minus_assistance')
     AND b.bodyweight_kg IS NULL) AS lacks_bodyweight,
    CASE WHEN load.load_kg IS NOT NULL AND s.reps BETWEEN 1 AND 12
         THEN load.load_kg * (1 + s.reps / 30.0) END AS e1rm_kg
FROM fitness.sets s
JOIN fitness.workout_exercises we ON we.workout_exercise_id = s.workout_exercise_id
JOIN fitness.workouts w ON w.workout_id = we.workout_id
JOIN fitness.exercises e ON e.exercise_id = we.exercise_id
-- the athlete too: one athlete's sets then read only that athlete's rows of b, by its index
JOIN gold_workout_bodyweight b ON b.workout_id = w.workout_id AND b.athlete_id = w.athlete_id
CROSS JOIN LATERAL (
    SELECT CASE
        WHEN e.is_cardio OR e.exercise_type IN ('reps_only', 'duration', 'distance_duration')
            THEN 'none'
        WHEN e.exercise_type = 'bodyweight_reps' THEN 'bodyweight'
        WHEN e.exercise_type = 'weighted_bodyweight' THEN 'bodyweight_plus_added'
        WHEN e.exercise_type = 'assisted_bodyweight' THEN 'bodyweight_minus_assistance'
        ELSE 'external'
    END AS load_basis
) basis
CROSS JOIN LATERAL (
    SELECT CASE basis.load_basis
        WHEN 'external' THEN s.weight_kg
        WHEN 'bodyweight' THEN b.bodyweight_kg + coalesce(s.weight_kg, 0)
        WHEN 'bodyweight_plus_added' THEN b.bodyweight_kg + coalesce(s.weight_kg, 0)
        WHEN 'bodyweight_minus_assistance'
            THEN greatest(b.bodyweight_kg - coalesce(s.weight_kg, 0), 0)
    END AS load_kg
) load
