-- SES accepted the e-mail.
UPDATE fitness.report_emails
SET status = 'sent', message_id = :message_id, sent_at = now(), last_error = NULL
WHERE athlete_id = :athlete_id AND week_start = :week AND content_sha256 = :sha;
