-- A title Hevy classified (an athlete's exercise template) keeps that classification when a load
-- without the template (another athlete, a CSV) would only infer one from the name.
DELETE FROM stage_exercises s
USING fitness.exercises e
WHERE e.exercise_key = s.exercise_key AND e.catalog_source = 'hevy' AND s.catalog_source = 'inferred';

-- Exercises used by this load, on their stable key; only changed classifications are written.
WITH upserted AS (
    INSERT INTO fitness.exercises AS e
        (exercise_key, exercise_name, exercise_type, equipment, is_cardio, catalog_source)
    SELECT exercise_key, exercise_name, exercise_type, equipment, is_cardio, catalog_source
    FROM stage_exercises
    ON CONFLICT (exercise_key) DO UPDATE
    SET exercise_name = EXCLUDED.exercise_name, exercise_type = EXCLUDED.exercise_type,
        equipment = EXCLUDED.equipment, is_cardio = EXCLUDED.is_cardio,
        catalog_source = EXCLUDED.catalog_source
    WHERE (e.exercise_name, e.exercise_type, e.equipment, e.is_cardio, e.catalog_source)
          IS DISTINCT FROM (EXCLUDED.exercise_name, EXCLUDED.exercise_type, EXCLUDED.equipment,
                            EXCLUDED.is_cardio, EXCLUDED.catalog_source)
    RETURNING (xmax = 0) AS inserted
)
SELECT count(*) FILTER (WHERE inserted) AS inserted, count(*) FILTER (WHERE NOT inserted) AS updated
FROM upserted;
