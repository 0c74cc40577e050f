-- One athlete-week's exercises, sorted by name: everything the payload says about each.
SELECT * FROM fitness.gold_llm_weekly_exercise_context
WHERE athlete_id = :athlete_id AND week_start = :week
ORDER BY exercise_name, exercise_key;
