-- At the end of an athlete's load transaction: what it was built from, under a new load_id.
INSERT INTO fitness.athlete_loads (athlete_id, fingerprint, files)
VALUES (:athlete_id, :fingerprint, CAST(:files AS jsonb))
ON CONFLICT (athlete_id) DO UPDATE SET
    fingerprint = EXCLUDED.fingerprint,
    files = EXCLUDED.files,
    loaded_at = now(),
    load_id = nextval('fitness.load_ids');
