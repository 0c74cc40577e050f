-- Hard sets and tonnage per muscle group in each of one athlete's weeks (:weeks), sorted by group.
SELECT week_start, muscle_group, hard_sets, tonnage_kg
FROM fitness.gold_weekly_muscle_group_volume
WHERE athlete_id = :athlete_id AND week_start = ANY(:weeks)
ORDER BY week_start, muscle_group;
