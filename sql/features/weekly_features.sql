-- The feature table: every athlete-week of gold_weekly_features, in a fixed order.
SELECT * FROM fitness.gold_weekly_features ORDER BY athlete_key, week_start;
