-- Muscle groups named by the exercises of this load (primary and secondary).
WITH inserted AS (
    INSERT INTO fitness.muscle_groups (muscle_group)
    SELECT DISTINCT g
    FROM stage_exercises s,
         unnest(array_append(string_to_array(nullif(s.secondary_muscle_groups, ''), ';'),
                             s.primary_muscle_group)) AS g
    ON CONFLICT (muscle_group) DO NOTHING
    RETURNING 1
)
SELECT count(*) AS inserted FROM inserted;
