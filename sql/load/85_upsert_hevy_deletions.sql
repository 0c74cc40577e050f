-- Workouts deleted in Hevy, as the athlete's mirror records them (each recorded once).
WITH inserted AS (
    INSERT INTO fitness.hevy_deletions (athlete_id, hevy_id, deleted_at, start_time, title)
    SELECT :athlete_id, hevy_id, deleted_at, start_time, title FROM stage_hevy_deletions
    ON CONFLICT (athlete_id, hevy_id) DO NOTHING
    RETURNING 1
)
SELECT count(*) AS inserted FROM inserted;
