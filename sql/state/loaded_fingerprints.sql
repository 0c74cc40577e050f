-- What each athlete's last committed load was built from (an unchanged fingerprint skips the load).
SELECT a.athlete_key, l.fingerprint
FROM fitness.athlete_loads l
JOIN fitness.athletes a USING (athlete_id);
