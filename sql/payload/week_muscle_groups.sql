-- One athlete-week's hard sets and tonnage per muscle group, sorted by group.
SELECT muscle_group, hard_sets, tonnage_kg
FROM fitness.gold_weekly_muscle_group_volume
WHERE athlete_id = :athlete_id AND week_start = :week
ORDER BY muscle_group;
