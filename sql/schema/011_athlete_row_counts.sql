-- How many rows of each table that holds athletes' rows are each athlete's, counted at the end of
-- the athlete's load: a table's row count is then a sum over athletes, not a scan of the table
-- (2.4 s a run at 1,000 athletes, for every table). Filled here for the athletes already loaded.
CREATE TABLE fitness.athlete_row_counts (
    athlete_id bigint NOT NULL REFERENCES fitness.athletes (athlete_id) ON DELETE CASCADE,
    table_name text NOT NULL,
    rows       bigint NOT NULL,
    PRIMARY KEY (athlete_id, table_name)
);

CREATE FUNCTION fitness.count_athlete_rows(p_athlete bigint)
RETURNS TABLE (table_name text, rows bigint)
LANGUAGE sql STABLE AS $$
    SELECT 'cycles', count(*) FROM fitness.cycles WHERE athlete_id = p_athlete
    UNION ALL
    SELECT 'workouts', count(*) FROM fitness.workouts WHERE athlete_id = p_athlete
    UNION ALL
    SELECT 'workout_exercises', count(*)
    FROM fitness.workouts w JOIN fitness.workout_exercises we ON we.workout_id = w.workout_id
    WHERE w.athlete_id = p_athlete
    UNION ALL
    SELECT 'sets', count(*)
    FROM fitness.workouts w
    JOIN fitness.workout_exercises we ON we.workout_id = w.workout_id
    JOIN fitness.sets s ON s.workout_exercise_id = we.workout_exercise_id
    WHERE w.athlete_id = p_athlete
    UNION ALL
    SELECT 'diet_daily', count(*) FROM fitness.diet_daily WHERE athlete_id = p_athlete
    UNION ALL
    SELECT 'body_measurements', count(*) FROM fitness.body_measurements WHERE athlete_id = p_athlete
    UNION ALL
    SELECT 'bodyweight_daily', count(*) FROM fitness.bodyweight_daily WHERE athlete_id = p_athlete
    UNION ALL
    SELECT 'hevy_deletions', count(*) FROM fitness.hevy_deletions WHERE athlete_id = p_athlete
    UNION ALL
    SELECT 'rejected_rows', count(*) FROM fitness.rejected_rows WHERE athlete_id = p_athlete
$$;

INSERT INTO fitness.athlete_row_counts (athlete_id, table_name, rows)
SELECT l.athlete_id, c.table_name, c.rows
FROM fitness.athlete_loads l CROSS JOIN LATERAL fitness.count_athlete_rows(l.athlete_id) AS c;
