-- SES refused the e-mail or could not be reached: the next run tries again.
UPDATE fitness.report_emails
SET status = 'failed', last_error = :error
WHERE athlete_id = :athlete_id AND week_start = :week AND content_sha256 = :sha;
