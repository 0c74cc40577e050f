-- Issue 14: the unit an athlete reads weights in, whom the weekly report is e-mailed to, and the
-- sent-log that makes e-mail idempotent (one row per athlete, week and content; see site/mail.py).
ALTER TABLE fitness.athletes
    ADD COLUMN weight_unit text NOT NULL DEFAULT 'kg' CHECK (weight_unit IN ('kg', 'lb')),
    ADD COLUMN report_recipients text[] NOT NULL DEFAULT '{}';

CREATE TABLE fitness.report_emails (
    athlete_id       bigint NOT NULL REFERENCES fitness.athletes (athlete_id) ON DELETE CASCADE,
    week_start       date NOT NULL,
    content_sha256   text NOT NULL,
    recipients       text[] NOT NULL,
    subject          text NOT NULL,
    status           text NOT NULL CHECK (status IN ('sending', 'sent', 'failed')),
    attempts         integer NOT NULL,
    message_id       text,
    last_error       text,
    first_attempt_at timestamptz NOT NULL,
    last_attempt_at  timestamptz NOT NULL,
    sent_at          timestamptz,
    PRIMARY KEY (athlete_id, week_start, content_sha256)
);
