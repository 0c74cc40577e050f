-- What each relation of schema fitness is (r table, v view, m materialized view), by name.
SELECT c.relname, c.relkind
FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
WHERE n.nspname = 'fitness' AND c.relkind IN ('r', 'v', 'm');
