-- Exercises missing from the catalog, classified by the name heuristic.
-- asset: exercises
-- metric: inferred
SELECT e.exercise_name, e.exercise_key, g.muscle_group AS inferred_primary
FROM fitness.exercises e
LEFT JOIN fitness.exercise_muscle_map m ON m.exercise_id = e.exercise_id AND m.role = 'primary'
LEFT JOIN fitness.muscle_groups g USING (muscle_group_id)
WHERE e.catalog_source = 'inferred'
ORDER BY 1;
