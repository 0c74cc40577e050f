-- One row per athlete, week and muscle group: hard sets (primary 1, secondary 0.5) and tonnage
-- (effective load × reps, primary muscle only).
-- grain: athlete_id, week_start, muscle_group
SELECT
    f.athlete_id,
    f.week_start,
    g.muscle_group,
    sum(CASE m.role WHEN 'primary' THEN 1.0 ELSE 0.5 END) AS hard_sets,
    coalesce(sum(f.load_kg * f.reps) FILTER (WHERE m.role = 'primary'), 0) AS tonnage_kg
FROM gold_set_facts f
JOIN fitness.exercise_muscle_map m ON m.exercise_id = f.exercise_id
JOIN fitness.muscle_groups g ON g.muscle_group_id = m.muscle_group_id
WHERE f.is_working
GROUP BY f.athlete_id, f.week_start, g.muscle_group
