-- The row count of each table that holds athletes' rows: the sum of the athletes' own counts.
SELECT table_name, sum(rows)::bigint FROM fitness.athlete_row_counts GROUP BY table_name;
