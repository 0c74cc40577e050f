-- The athlete's id, creating the athlete if new; the settings of athlete.toml kept up to date.
INSERT INTO fitness.athletes
    (athlete_key, display_name, time_zone, target_sessions_per_week, target_calories_kcal,
     target_protein_g)
VALUES (:key, :name, :tz, :sessions, :kcal, :protein)
ON CONFLICT (athlete_key) DO UPDATE SET
    display_name = EXCLUDED.display_name,
    time_zone = EXCLUDED.time_zone,
    target_sessions_per_week = EXCLUDED.target_sessions_per_week,
    target_calories_kcal = EXCLUDED.target_calories_kcal,
    target_protein_g = EXCLUDED.target_protein_g
RETURNING athlete_id, (xmax = 0) AS created;
