-- The athlete's last 8 calendar weeks (this one the last) that lie in their span, with this
-- week's training signals (streak, deload) on each row.
SELECT week_start, sessions, working_sets, tonnage_kg, avg_calories_kcal, trend_kg,
       streak_weeks, baseline_sets, baseline_tonnage_kg, is_deload
FROM fitness.gold_athlete_weeks
WHERE athlete_id = :athlete_id AND week_start BETWEEN :week - 49 AND :week
ORDER BY week_start;
