-- A Gold view just created: its definition's checksum and kind, and its rows (null for a view).
INSERT INTO fitness.gold_objects (view_name, sha256, kind, refreshed_at, row_count)
VALUES (:name, :sha256, :kind, now(), :row_count);
