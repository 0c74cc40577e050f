-- The columns of one warehouse table, in order (for the asset's column schema).
SELECT column_name, data_type, is_nullable
FROM information_schema.columns
WHERE table_schema = 'fitness' AND table_name = :table
ORDER BY ordinal_position;
