-- The exercises of each of one athlete's weeks (:weeks), sorted by name: everything the payload
-- says about each.
SELECT * FROM fitness.gold_llm_weekly_exercise_context
WHERE athlete_id = :athlete_id AND week_start = ANY(:weeks)
ORDER BY week_start, exercise_name, exercise_key;
