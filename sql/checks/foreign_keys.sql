-- The validated foreign keys of schema fitness: the child table and columns, the parent table and
-- columns (in the key's order).
SELECT ct.relname AS child,
       array_agg(ca.attname::text ORDER BY k.ord) AS child_columns,
       pt.relname AS parent,
       array_agg(pa.attname::text ORDER BY k.ord) AS parent_columns,
       c.conname AS constraint_name
FROM pg_constraint c
JOIN pg_class ct ON ct.oid = c.conrelid
JOIN pg_class pt ON pt.oid = c.confrelid
JOIN pg_namespace n ON n.oid = ct.relnamespace
CROSS JOIN LATERAL unnest(c.conkey, c.confkey) WITH ORDINALITY AS k (child_att, parent_att, ord)
JOIN pg_attribute ca ON ca.attrelid = c.conrelid AND ca.attnum = k.child_att
JOIN pg_attribute pa ON pa.attrelid = c.confrelid AND pa.attnum = k.parent_att
WHERE n.nspname = 'fitness' AND c.contype = 'f' AND c.convalidated
GROUP BY c.oid, ct.relname, pt.relname, c.conname
ORDER BY 1, 5;
