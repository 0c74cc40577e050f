-- A new athlete's row counts at the end of their first load: every row of theirs is one this load
-- inserted, so the load's own counts are kept (count_athlete_rows.sql counts them otherwise).
INSERT INTO fitness.athlete_row_counts (athlete_id, table_name, rows)
SELECT :athlete_id, t.table_name, t.rows
FROM unnest(CAST(:tables AS text[]), CAST(:rows AS bigint[])) AS t (table_name, rows)
ON CONFLICT (athlete_id, table_name) DO UPDATE SET rows = EXCLUDED.rows;
