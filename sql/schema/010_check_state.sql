-- What each warehouse check last found in each athlete's rows, and in which of their loads: a check
-- looks again only at the athletes loaded since (or at every athlete when its query changed), so
-- its cost follows the change, not the size of the installation.
CREATE TABLE fitness.check_athlete_state (
    check_name text NOT NULL,
    athlete_id bigint NOT NULL REFERENCES fitness.athletes (athlete_id) ON DELETE CASCADE,
    load_id    bigint NOT NULL,
    definition text NOT NULL,
    found      bigint NOT NULL,
    sample     jsonb NOT NULL,
    counts     jsonb NOT NULL,
    checked_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (check_name, athlete_id)
);
