-- Each week's main lifts (for every week of :weeks, as for_week), their best e1RM in each of the
-- 12 weeks up to it, and their stall status as of that week (their latest week with an e1RM up
-- to it).
SELECT l.week_start AS for_week, l.lift_rank, l.exercise_key, l.exercise_name, l.working_sets_12w,
       h.week_start, h.best_e1rm_kg,
       s.best_e1rm_kg AS latest_best_e1rm_kg, s.week_start AS latest_week,
       s.previous_best_e1rm_kg, s.weeks_since_best, s.is_stalled
FROM fitness.gold_weekly_main_lifts l
LEFT JOIN LATERAL (
    SELECT p.best_e1rm_kg, p.week_start, p.previous_best_e1rm_kg, p.weeks_since_best, p.is_stalled
    FROM fitness.gold_exercise_progress p
    WHERE p.athlete_id = l.athlete_id AND p.exercise_id = l.exercise_id
      AND p.week_start <= l.week_start
    ORDER BY p.week_start DESC
    LIMIT 1
) s ON true
LEFT JOIN fitness.gold_exercise_progress h
  ON h.athlete_id = l.athlete_id AND h.exercise_id = l.exercise_id
 AND h.week_start BETWEEN l.week_start - 77 AND l.week_start
WHERE l.athlete_id = :athlete_id AND l.week_start = ANY(:weeks)
ORDER BY l.week_start, l.lift_rank, h.week_start;
