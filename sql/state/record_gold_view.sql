-- A Gold view just created: its definition's checksum and kind.
INSERT INTO fitness.gold_objects (view_name, sha256, kind, refreshed_at)
VALUES (:name, :sha256, :kind, now());
