-- Every athlete's report recipients (athlete.toml [report] email_to), by athlete key.
SELECT athlete_id, athlete_key, report_recipients
FROM fitness.athletes
ORDER BY athlete_key;
