-- One row per athlete, ISO week and exercise with a working set: volume, effective load, e1RM,
-- sessions, and the weight as logged (for an assisted move, the assistance).
-- grain: athlete_id, week_start, exercise_id
SELECT
    f.athlete_id,
    f.week_start,
    f.exercise_id,
    e.exercise_key,
    e.exercise_name,
    coalesce(g.muscle_group, 'other') AS muscle_group,
    e.catalog_source,
    min(f.load_basis) AS load_basis,
    count(*) AS total_sets,
    count(*) FILTER (WHERE f.set_type = 'failure') AS failure_sets,
    sum(f.reps) AS total_reps,
    avg(f.reps) AS avg_reps,
    avg(f.load_kg) AS avg_load_kg,
    max(f.load_kg) AS top_load_kg,
    max(f.e1rm_kg) AS best_e1rm_kg,
    sum(f.load_kg * f.reps) AS tonnage_kg,
    count(DISTINCT f.workout_id) AS sessions_count,
    min(f.weight_kg) AS logged_min_kg,
    max(f.weight_kg) AS logged_max_kg,
    count(*) FILTER (WHERE f.lacks_bodyweight) AS sets_without_bodyweight
FROM gold_set_facts f
JOIN fitness.exercises e ON e.exercise_id = f.exercise_id
LEFT JOIN fitness.exercise_muscle_map m ON m.exercise_id = f.exercise_id AND m.role = 'primary'
LEFT JOIN fitness.muscle_groups g ON g.muscle_group_id = m.muscle_group_id
WHERE f.is_working
GROUP BY f.athlete_id, f.week_start, f.exercise_id, e.exercise_key, e.exercise_name, g.muscle_group,
         e.catalog_source
