-- A Gold view just refreshed.
UPDATE fitness.gold_objects SET refreshed_at = now() WHERE view_name = :name;
