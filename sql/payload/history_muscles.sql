-- Hard sets per muscle group over the athlete's last 8 calendar weeks, with this week's
-- acute:chronic workload ratio inputs.
SELECT week_start, muscle_group, hard_sets, chronic_hard_sets, acwr, acwr_outside_band
FROM fitness.gold_weekly_muscle_load
WHERE athlete_id = :athlete_id AND week_start BETWEEN :week - 49 AND :week
ORDER BY muscle_group, week_start;
