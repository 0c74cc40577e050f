-- The athlete's bodyweight series from the stored diet days and body measurements: one weigh-in
-- per day, the first source in the documented order (diet log, Hevy API, Hevy export).
-- wanted_bodyweight is one of the staging tables (00_stage_tables.sql), empty at the start.
INSERT INTO wanted_bodyweight (measured_on, bodyweight_kg, source)
SELECT DISTINCT ON (measured_on) measured_on, bodyweight_kg, source
FROM (
    SELECT diet_date AS measured_on, bodyweight_kg, 'diet_log' AS source, 1 AS precedence
    FROM fitness.diet_daily
    WHERE athlete_id = :athlete_id AND bodyweight_kg > 0
    UNION ALL
    SELECT measured_on, weight_kg, source, CASE source WHEN 'hevy_api' THEN 2 ELSE 3 END
    FROM fitness.body_measurements
    WHERE athlete_id = :athlete_id AND weight_kg > 0
) weighed
ORDER BY measured_on, precedence;

WITH deleted AS (
    DELETE FROM fitness.bodyweight_daily b
    WHERE b.athlete_id = :athlete_id
      AND NOT EXISTS (SELECT 1 FROM wanted_bodyweight w WHERE w.measured_on = b.measured_on)
    RETURNING 1
), upserted AS (
    INSERT INTO fitness.bodyweight_daily AS b (athlete_id, measured_on, bodyweight_kg, source)
    SELECT :athlete_id, measured_on, bodyweight_kg, source FROM wanted_bodyweight
    ON CONFLICT (athlete_id, measured_on) DO UPDATE
    SET bodyweight_kg = EXCLUDED.bodyweight_kg, source = EXCLUDED.source
    WHERE (b.bodyweight_kg, b.source) IS DISTINCT FROM (EXCLUDED.bodyweight_kg, EXCLUDED.source)
    RETURNING (xmax = 0) AS inserted
)
SELECT (SELECT count(*) FROM upserted WHERE inserted) AS inserted,
       (SELECT count(*) FROM upserted WHERE NOT inserted) AS updated,
       (SELECT count(*) FROM deleted) AS deleted,
       (SELECT count(*) FROM wanted_bodyweight) AS staged;
