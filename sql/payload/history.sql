-- The athlete's weeks from 7 weeks before the first of :weeks to the last of them, with each
-- week's training signals (streak, deload): each payload takes its own last 8 calendar weeks.
SELECT week_start, sessions, working_sets, tonnage_kg, avg_calories_kcal, trend_kg,
       streak_weeks, baseline_sets, baseline_tonnage_kg, is_deload
FROM fitness.gold_athlete_weeks
WHERE athlete_id = :athlete_id AND week_start BETWEEN :first_week - 49 AND :last_week
ORDER BY week_start;
