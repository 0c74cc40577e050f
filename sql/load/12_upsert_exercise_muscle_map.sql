-- The exercise-muscle map of the exercises this load uses: changed roles replaced, new ones added.
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

WITH deleted AS (
    DELETE FROM fitness.exercise_muscle_map mm
    WHERE mm.exercise_id IN (SELECT exercise_id FROM stage_muscle_map)
      AND NOT EXISTS (SELECT 1 FROM stage_muscle_map s
                      WHERE s.exercise_id = mm.exercise_id
                        AND s.muscle_group_id = mm.muscle_group_id AND s.role = mm.role)
    RETURNING 1
)
SELECT count(*) AS deleted FROM deleted;

WITH inserted AS (
    INSERT INTO fitness.exercise_muscle_map (exercise_id, muscle_group_id, role)
    SELECT exercise_id, muscle_group_id, role FROM stage_muscle_map
    ON CONFLICT (exercise_id, muscle_group_id) DO NOTHING
    RETURNING 1
)
SELECT count(*) AS inserted, (SELECT count(*) FROM stage_muscle_map) AS staged FROM inserted;
