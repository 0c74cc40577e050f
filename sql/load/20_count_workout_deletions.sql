-- How much of the athlete's stored history a full re-export would delete (the partial-file guard).
SELECT
    (SELECT count(*) FROM fitness.workouts w
     WHERE w.athlete_id = :athlete_id AND w.source IN (SELECT DISTINCT source FROM stage_workouts)
       AND NOT EXISTS (SELECT 1 FROM stage_workouts s
                       WHERE s.source = w.source AND s.start_time = w.start_time))
        AS workouts_to_delete,
    (SELECT count(*) FROM fitness.workouts w
     WHERE w.athlete_id = :athlete_id AND w.source IN (SELECT DISTINCT source FROM stage_workouts))
        AS workouts_existing,
    (SELECT count(*) FROM fitness.diet_daily d
     WHERE d.athlete_id = :athlete_id AND :has_diet
       AND NOT EXISTS (SELECT 1 FROM stage_diet s WHERE s.diet_date = d.diet_date))
        AS diet_days_to_delete,
    (SELECT count(*) FROM fitness.diet_daily d WHERE d.athlete_id = :athlete_id AND :has_diet)
        AS diet_days_existing;
