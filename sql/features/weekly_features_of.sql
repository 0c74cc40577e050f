-- The feature rows of some athletes (the ones whose Gold rows changed since the file was
-- written), in the order of weekly_features.sql; by athlete id, which the table is indexed on.
SELECT *
FROM fitness.gold_weekly_features
WHERE athlete_id IN (SELECT athlete_id FROM fitness.athletes WHERE athlete_key = ANY(:athletes))
ORDER BY athlete_key COLLATE "C", week_start;
