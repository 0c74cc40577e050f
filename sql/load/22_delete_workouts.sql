-- Workouts of the re-exported sources that the new export no longer holds (sets follow by cascade).
WITH deleted AS (
    DELETE FROM fitness.workouts w
    WHERE w.athlete_id = :athlete_id
      AND w.source IN (SELECT DISTINCT source FROM stage_workouts)
      AND NOT EXISTS (SELECT 1 FROM stage_workouts s
                      WHERE s.source = w.source AND s.start_time = w.start_time)
    RETURNING 1
)
SELECT count(*) AS deleted FROM deleted;
