-- The row count kept for each Gold table (null for plain views).
SELECT view_name, row_count FROM fitness.gold_objects;
