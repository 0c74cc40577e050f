-- After an incremental Gold build: record the load of each athlete it rebuilt, as its snapshot saw
-- it, and what those rows are built from.
DELETE FROM fitness.gold_athlete_state WHERE athlete_id = ANY(:athletes);
INSERT INTO fitness.gold_athlete_state (athlete_id, load_id, source)
SELECT athlete_id, load_id, fitness.gold_athlete_source(athlete_id)
FROM fitness.athlete_loads WHERE athlete_id = ANY(:athletes);
