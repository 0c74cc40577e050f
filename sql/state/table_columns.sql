-- The columns of the warehouse tables, in order (for the assets' column schemas): one query for
-- every table of a load, not one each.
SELECT table_name, column_name, data_type
FROM information_schema.columns
WHERE table_schema = 'fitness' AND table_name = ANY(:tables)
ORDER BY table_name, ordinal_position;
