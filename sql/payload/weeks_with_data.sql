-- The athlete-weeks with training or diet between two Mondays, in week then athlete order.
SELECT athlete_key, week_start FROM fitness.gold_weekly_fitness_summary
WHERE week_start BETWEEN :start AND :end
ORDER BY week_start, athlete_key;
