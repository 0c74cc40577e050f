-- The athlete's quarantine mirrors the latest files: fixed rows leave it, new problems enter it.
WITH deleted AS (
    DELETE FROM fitness.rejected_rows r
    WHERE r.athlete_id = :athlete_id
      AND NOT EXISTS (SELECT 1 FROM stage_rejected s
                      WHERE s.source_file = r.source_file AND s.source_line = r.source_line
                        AND s.rule = r.rule)
    RETURNING 1
), upserted AS (
    INSERT INTO fitness.rejected_rows AS r
        (athlete_id, source_file, source_line, rule, row_date, raw_values)
    SELECT :athlete_id, source_file, source_line, rule, row_date, raw_values FROM stage_rejected
    ON CONFLICT (athlete_id, source_file, source_line, rule) DO UPDATE
    SET row_date = EXCLUDED.row_date, raw_values = EXCLUDED.raw_values
    WHERE (r.row_date, r.raw_values) IS DISTINCT FROM (EXCLUDED.row_date, EXCLUDED.raw_values)
    RETURNING (xmax = 0) AS inserted
)
SELECT (SELECT count(*) FROM upserted WHERE inserted) AS inserted,
       (SELECT count(*) FROM upserted WHERE NOT inserted) AS updated,
       (SELECT count(*) FROM deleted) AS deleted;
