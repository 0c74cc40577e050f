-- Hard sets per muscle group from 7 weeks before the first of :weeks to the last of them, with
-- each week's acute:chronic workload ratio inputs: each payload takes its own last 8 weeks.
SELECT week_start, muscle_group, hard_sets, chronic_hard_sets, acwr, acwr_outside_band
FROM fitness.gold_weekly_muscle_load
WHERE athlete_id = :athlete_id AND week_start BETWEEN :first_week - 49 AND :last_week
ORDER BY muscle_group, week_start;
