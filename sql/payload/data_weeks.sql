-- Every week that holds data for some athlete.
SELECT DISTINCT week_start FROM fitness.gold_weekly_fitness_summary ORDER BY week_start;
