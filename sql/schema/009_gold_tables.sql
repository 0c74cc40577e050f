-- Gold objects become tables kept per athlete (incremental Gold): a third kind, and each one's row
-- count kept as rows are replaced, so reporting it never scans a table.
ALTER TABLE fitness.gold_objects DROP CONSTRAINT gold_objects_kind_check;
ALTER TABLE fitness.gold_objects
    ADD CONSTRAINT gold_objects_kind_check CHECK (kind IN ('view', 'materialized', 'table'));
ALTER TABLE fitness.gold_objects ADD COLUMN row_count bigint;

-- What an athlete's Gold rows are built from, recorded with them: their load's fingerprint and
-- the shared exercise rows their training uses (another athlete's load can reclassify those).
-- Deterministic (no ids, no times): delivery compares it to skip athletes whose rows are the same.
CREATE FUNCTION fitness.gold_athlete_source(p_athlete bigint) RETURNS text
LANGUAGE sql STABLE AS $$
    SELECT l.fingerprint || ' ' || coalesce((
        SELECT md5(string_agg(
                   concat_ws('|', e.exercise_key, e.exercise_name, e.exercise_type, e.equipment,
                             e.is_cardio, e.catalog_source, m.muscles),
                   E'\n' ORDER BY e.exercise_key))
        FROM (SELECT DISTINCT we.exercise_id
              FROM fitness.workouts w
              JOIN fitness.workout_exercises we ON we.workout_id = w.workout_id
              WHERE w.athlete_id = p_athlete) AS used
        JOIN fitness.exercises e ON e.exercise_id = used.exercise_id
        LEFT JOIN LATERAL (
            SELECT string_agg(g.muscle_group || ':' || mm.role, ',' ORDER BY g.muscle_group)
                AS muscles
            FROM fitness.exercise_muscle_map mm
            JOIN fitness.muscle_groups g ON g.muscle_group_id = mm.muscle_group_id
            WHERE mm.exercise_id = e.exercise_id
        ) AS m ON true
    ), '')
    FROM fitness.athlete_loads l
    WHERE l.athlete_id = p_athlete
$$;
ALTER TABLE fitness.gold_athlete_state ADD COLUMN source text;
