-- What each athlete's Gold rows are built from (gold_athlete_state.source). Null while Gold is
-- behind the athlete's last load: their payloads are then rebuilt.
SELECT a.athlete_key, CASE WHEN g.load_id = l.load_id THEN g.source END AS source
FROM fitness.athletes a
JOIN fitness.athlete_loads l ON l.athlete_id = a.athlete_id
LEFT JOIN fitness.gold_athlete_state g ON g.athlete_id = a.athlete_id;
