-- The Hevy API source: workouts deleted in Hevy (audited), and exercises classified by Hevy's own templates.
CREATE TABLE fitness.hevy_deletions (
    athlete_id  bigint NOT NULL REFERENCES fitness.athletes (athlete_id) ON DELETE CASCADE,
    hevy_id     text NOT NULL,
    deleted_at  timestamptz,
    start_time  timestamp,
    title       text,
    recorded_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (athlete_id, hevy_id)
);

ALTER TABLE fitness.exercises DROP CONSTRAINT exercises_catalog_source_check;
ALTER TABLE fitness.exercises ADD CONSTRAINT exercises_catalog_source_check
    CHECK (catalog_source IN ('catalog', 'hevy', 'inferred'));
