-- Every set has a block, every block a workout and sets, every diet day a known cycle, every exercise a primary muscle.
SELECT
    (SELECT count(*) FROM fitness.sets s
     LEFT JOIN fitness.workout_exercises we USING (workout_exercise_id)
     WHERE we.workout_exercise_id IS NULL) AS sets_without_a_block,
    (SELECT count(*) FROM fitness.workout_exercises we
     LEFT JOIN fitness.workouts w USING (workout_id)
     WHERE w.workout_id IS NULL) AS blocks_without_a_workout,
    (SELECT count(*) FROM fitness.workout_exercises we
     WHERE NOT EXISTS (SELECT 1 FROM fitness.sets s
                       WHERE s.workout_exercise_id = we.workout_exercise_id)) AS blocks_without_sets,
    (SELECT count(*) FROM fitness.diet_daily d
     WHERE d.cycle_number IS NOT NULL
       AND NOT EXISTS (SELECT 1 FROM fitness.cycles c
                       WHERE c.athlete_id = d.athlete_id AND c.cycle_number = d.cycle_number))
        AS diet_days_with_an_unknown_cycle,
    (SELECT count(*) FROM fitness.exercises e
     WHERE NOT EXISTS (SELECT 1 FROM fitness.exercise_muscle_map m
                       WHERE m.exercise_id = e.exercise_id AND m.role = 'primary'))
        AS exercises_without_a_primary_muscle;
