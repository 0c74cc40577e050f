-- Claim an e-mail before calling SES (committed first): a new row, or a failed one tried again.
INSERT INTO fitness.report_emails
    (athlete_id, week_start, content_sha256, recipients, subject, status, attempts,
     first_attempt_at, last_attempt_at)
VALUES (:athlete_id, :week, :sha, :recipients, :subject, 'sending', 1, now(), now())
ON CONFLICT (athlete_id, week_start, content_sha256) DO UPDATE SET
    status = 'sending',
    attempts = fitness.report_emails.attempts + 1,
    recipients = EXCLUDED.recipients,
    last_attempt_at = now(),
    last_error = NULL
WHERE fitness.report_emails.status = 'failed';
