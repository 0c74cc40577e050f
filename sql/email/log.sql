-- The sent-log of one athlete (newest first), for tests and the curious.
SELECT a.athlete_key, e.week_start, e.content_sha256, e.recipients, e.subject, e.status,
       e.attempts, e.message_id, e.last_error
FROM fitness.report_emails e
JOIN fitness.athletes a USING (athlete_id)
WHERE a.athlete_key = :athlete
ORDER BY e.week_start DESC, e.first_attempt_at DESC;
