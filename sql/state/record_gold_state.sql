-- After a Gold build of every row: record the load of every athlete that this build's snapshot
-- saw, and what their rows are built from.
DELETE FROM fitness.gold_athlete_state;
INSERT INTO fitness.gold_athlete_state (athlete_id, load_id, source)
SELECT athlete_id, load_id, fitness.gold_athlete_source(athlete_id) FROM fitness.athlete_loads;
