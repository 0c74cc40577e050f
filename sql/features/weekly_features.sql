-- The feature table: every athlete-week of gold_weekly_features, in a fixed order (athlete keys
-- by their bytes, whatever the database's collation, so that rows spliced in by athlete keep it).
SELECT * FROM fitness.gold_weekly_features ORDER BY athlete_key COLLATE "C", week_start;
