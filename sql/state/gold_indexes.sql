-- The indexes of one Gold table (:table, in schema fitness): each one's name and the statement
-- that builds it again, as PostgreSQL itself writes it.
SELECT indexname, indexdef
FROM pg_indexes
WHERE schemaname = 'fitness' AND tablename = :table
ORDER BY indexname;
