-- Which Gold definitions are installed (by checksum) and when they were last refreshed.
CREATE TABLE fitness.gold_objects (
    view_name    text PRIMARY KEY,
    sha256       text NOT NULL,
    kind         text NOT NULL CHECK (kind IN ('view', 'materialized')),
    refreshed_at timestamptz
);
