-- The athlete's id, creating the athlete if new; the settings of athlete.toml kept up to date.
INSERT INTO fitness.athletes
    (athlete_key, display_name, time_zone, target_sessions_per_week, target_calories_kcal,
     target_protein_g, weight_unit, report_recipients)
VALUES (:key, :name, :tz, :sessions, :kcal, :protein, :unit, :recipients)
ON CONFLICT (athlete_key) DO UPDATE SET
    display_name = EXCLUDED.display_name,
    time_zone = EXCLUDED.time_zone,
    target_sessions_per_week = EXCLUDED.target_sessions_per_week,
    target_calories_kcal = EXCLUDED.target_calories_kcal,
    target_protein_g = EXCLUDED.target_protein_g,
    weight_unit = EXCLUDED.weight_unit,
    report_recipients = EXCLUDED.report_recipients
RETURNING athlete_id, (xmax = 0) AS created;
