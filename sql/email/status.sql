-- What the sent-log knows of one e-mail: sent, failed, or claimed by a run that never finished.
SELECT status, attempts
FROM fitness.report_emails
WHERE athlete_id = :athlete_id AND week_start = :week AND content_sha256 = :sha;
