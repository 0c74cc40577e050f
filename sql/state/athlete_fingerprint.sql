-- The fingerprint of one athlete's last committed load (none for a new athlete).
SELECT l.fingerprint
FROM fitness.athlete_loads l
JOIN fitness.athletes a USING (athlete_id)
WHERE a.athlete_key = :athlete_key;
