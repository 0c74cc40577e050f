-- One row per athlete, week, diet cycle active that week and main lift of the week: the lift's
-- best e1RM over its first 3 trained weeks of the cycle and over its last 3 (to the week; with
-- fewer than six trained weeks, the first and last half), the change, the share kept, and in a
-- cut whether strength was retained (the change at least 0). Null with fewer than 2 trained weeks.
-- grain: athlete_id, week_start, cycle_number, lift_rank
SELECT
    c.athlete_id,
    c.week_start,
    c.cycle_number,
    l.lift_rank,
    l.exercise_id,
    l.exercise_key,
    l.exercise_name,
    x.trained_weeks,
    x.edge_weeks,
    x.first_best_e1rm_kg,
    x.last_best_e1rm_kg,
    x.last_best_e1rm_kg - x.first_best_e1rm_kg AS e1rm_change_kg,
    x.last_best_e1rm_kg / nullif(x.first_best_e1rm_kg, 0) * 100 AS e1rm_retained_pct,
    CASE WHEN c.cycle_type = 'cutting' AND x.first_best_e1rm_kg IS NOT NULL
         THEN x.last_best_e1rm_kg >= x.first_best_e1rm_kg END AS strength_retained
FROM gold_cycle_to_date c
JOIN gold_weekly_main_lifts l ON l.athlete_id = c.athlete_id AND l.week_start = c.week_start
CROSS JOIN LATERAL (
    SELECT
        coalesce(max(t.n), 0) AS trained_weeks,
        CASE WHEN max(t.n) >= 2 THEN least(3, max(t.n) / 2) END AS edge_weeks,
        CASE WHEN max(t.n) >= 2
             THEN max(t.best_e1rm_kg) FILTER (WHERE t.n_asc <= least(3, t.n / 2)) END
            AS first_best_e1rm_kg,
        CASE WHEN max(t.n) >= 2
             THEN max(t.best_e1rm_kg) FILTER (WHERE t.n_desc <= least(3, t.n / 2)) END
            AS last_best_e1rm_kg
    FROM (
        SELECT
            p.best_e1rm_kg,
            row_number() OVER (ORDER BY p.week_start) AS n_asc,
            row_number() OVER (ORDER BY p.week_start DESC) AS n_desc,
            count(*) OVER () AS n
        FROM gold_exercise_progress p
        WHERE p.athlete_id = c.athlete_id AND p.exercise_id = l.exercise_id
          AND p.week_start BETWEEN date_trunc('week', c.first_day)::date AND c.week_start
    ) t
) x
