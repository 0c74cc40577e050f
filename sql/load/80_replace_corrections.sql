-- The corrections applied by this load replace those recorded by the athlete's previous load.
DELETE FROM fitness.applied_corrections WHERE athlete_id = :athlete_id;
INSERT INTO fitness.applied_corrections
    (athlete_id, workout_start, exercise_title, block, set_index, field, old_value, new_value, reason)
SELECT :athlete_id, workout_start, exercise_title, block, set_index, field, old_value, new_value,
       reason
FROM stage_corrections;
