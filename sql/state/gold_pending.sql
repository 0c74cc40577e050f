-- How far the installed Gold is behind the warehouse: athletes whose last load Gold has not seen.
SELECT
    count(*) FILTER (WHERE g.load_id IS DISTINCT FROM l.load_id) AS athletes_behind,
    (SELECT count(*) FROM fitness.gold_objects) AS installed_views
FROM fitness.athlete_loads l
LEFT JOIN fitness.gold_athlete_state g USING (athlete_id);
