-- Exercises, muscle groups and the exercise-muscle map for the exercises this load uses.
INSERT INTO fitness.muscle_groups (muscle_group)
SELECT DISTINCT g
FROM stage_exercises s,
     unnest(array_append(string_to_array(nullif(s.secondary_muscle_groups, ''), ';'),
                         s.primary_muscle_group)) AS g
ON CONFLICT (muscle_group) DO NOTHING;

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
                        EXCLUDED.is_cardio, EXCLUDED.catalog_source);

CREATE TEMP TABLE stage_muscle_map ON COMMIT DROP AS
SELECT e.exercise_id, g.muscle_group_id, m.role
FROM stage_exercises s
JOIN fitness.exercises e USING (exercise_key)
CROSS JOIN LATERAL (
    SELECT s.primary_muscle_group AS muscle_group, 'primary' AS role
    UNION
    SELECT x, 'secondary'
    FROM unnest(string_to_array(nullif(s.secondary_muscle_groups, ''), ';')) AS x
    WHERE x <> s.primary_muscle_group
) m
JOIN fitness.muscle_groups g ON g.muscle_group = m.muscle_group;

DELETE FROM fitness.exercise_muscle_map mm
WHERE mm.exercise_id IN (SELECT exercise_id FROM stage_muscle_map)
  AND NOT EXISTS (SELECT 1 FROM stage_muscle_map s
                  WHERE s.exercise_id = mm.exercise_id AND s.muscle_group_id = mm.muscle_group_id
                    AND s.role = mm.role);

INSERT INTO fitness.exercise_muscle_map (exercise_id, muscle_group_id, role)
SELECT exercise_id, muscle_group_id, role FROM stage_muscle_map
ON CONFLICT (exercise_id, muscle_group_id) DO NOTHING;
