-- A Gold table's row count after a build replaced some of its rows.
UPDATE fitness.gold_objects
SET row_count = :row_count, refreshed_at = now()
WHERE view_name = :name;
