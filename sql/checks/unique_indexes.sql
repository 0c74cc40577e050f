-- The plain unique indexes of schema fitness (valid, not partial, no expressions): each table's
-- unique column sets, and whether none of those columns can hold NULL (then no two rows share them).
SELECT t.relname AS table_name,
       i.relname AS index_name,
       array_agg(a.attname::text ORDER BY a.attname) AS columns,
       bool_and(a.attnotnull) OR x.indnullsnotdistinct AS no_nulls
FROM pg_index x
JOIN pg_class i ON i.oid = x.indexrelid
JOIN pg_class t ON t.oid = x.indrelid
JOIN pg_namespace n ON n.oid = t.relnamespace
JOIN pg_attribute a
  ON a.attrelid = t.oid AND a.attnum = ANY ((x.indkey::int2[])[0:x.indnkeyatts - 1])
WHERE n.nspname = 'fitness' AND x.indisunique AND x.indisvalid
  AND x.indpred IS NULL AND x.indexprs IS NULL
GROUP BY t.relname, i.relname, x.indnullsnotdistinct
ORDER BY 1, 2;
