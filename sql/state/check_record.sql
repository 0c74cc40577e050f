-- What a check found in one athlete's rows, as of one of their loads.
INSERT INTO fitness.check_athlete_state
    (check_name, athlete_id, load_id, definition, found, sample, counts)
VALUES (:check, :athlete_id, :load_id, :definition, :found,
        CAST(:sample AS jsonb), CAST(:counts AS jsonb))
ON CONFLICT (check_name, athlete_id) DO UPDATE SET
    load_id = EXCLUDED.load_id,
    definition = EXCLUDED.definition,
    found = EXCLUDED.found,
    sample = EXCLUDED.sample,
    counts = EXCLUDED.counts,
    checked_at = now();
