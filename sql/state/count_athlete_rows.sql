-- At the end of an athlete's load transaction: how many rows of each table are now theirs.
INSERT INTO fitness.athlete_row_counts (athlete_id, table_name, rows)
SELECT :athlete_id, c.table_name, c.rows FROM fitness.count_athlete_rows(:athlete_id) AS c
ON CONFLICT (athlete_id, table_name) DO UPDATE SET rows = EXCLUDED.rows;
