-- The athletes whose Gold rows are not built from their last load: loaded since, never built, or
-- gone from the warehouse (their rows are then removed).
SELECT athlete_id
FROM fitness.athlete_loads l
FULL JOIN fitness.gold_athlete_state g USING (athlete_id)
WHERE l.load_id IS DISTINCT FROM g.load_id
ORDER BY athlete_id;
