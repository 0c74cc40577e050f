-- The Gold views the warehouse holds, with the checksum and kind of their definition.
SELECT view_name, sha256 || ':' || kind AS tag FROM fitness.gold_objects;
