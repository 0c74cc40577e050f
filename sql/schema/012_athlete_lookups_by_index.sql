-- An athlete's rows are found through the athlete's own index entries, whatever the statistics say.
--
-- A fresh load writes hundreds of athletes into tables that autovacuum has not analysed yet. With
-- no statistics, the planner took "this athlete's blocks" and "this athlete's sets" for a large
-- share of the tables, and joined them by scanning every athlete's blocks and sets: each
-- athlete's load then cost a scan of everything loaded before it (95 ms an athlete at 100
-- athletes, growing with every athlete). An athlete's rows are always a small share of an
-- installation of many athletes, so these lookups join only by nested loops over the indexes.

-- The row counts of schema 011, unchanged but for these settings.
ALTER FUNCTION fitness.count_athlete_rows(bigint)
    SET enable_hashjoin = off
    SET enable_mergejoin = off
    SET max_parallel_workers_per_gather = 0;

-- The athlete's exercise blocks and their ids, by workout and position (the ids a load needs for
-- the sets it COPYs in).
CREATE FUNCTION fitness.athlete_blocks(p_athlete bigint)
RETURNS TABLE (workout_id bigint, exercise_order integer, workout_exercise_id bigint)
LANGUAGE sql STABLE
SET enable_hashjoin = off
SET enable_mergejoin = off
SET max_parallel_workers_per_gather = 0
AS $$
    SELECT we.workout_id, we.exercise_order, we.workout_exercise_id
    FROM fitness.workouts w
    JOIN fitness.workout_exercises we ON we.workout_id = w.workout_id
    WHERE w.athlete_id = p_athlete
$$;
