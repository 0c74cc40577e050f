-- The athlete's id, creating the athlete if new; the settings of athlete.toml kept up to date.
INSERT INTO fitness.athletes (athlete_key, display_name, time_zone)
VALUES (:key, :name, :tz)
ON CONFLICT (athlete_key) DO UPDATE SET
    display_name = EXCLUDED.display_name,
    time_zone = EXCLUDED.time_zone
RETURNING athlete_id, (xmax = 0) AS created;
