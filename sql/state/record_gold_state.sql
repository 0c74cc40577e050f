-- After a Gold build: record the load of every athlete that this build's snapshot saw.
DELETE FROM fitness.gold_athlete_state;
INSERT INTO fitness.gold_athlete_state (athlete_id, load_id)
SELECT athlete_id, load_id FROM fitness.athlete_loads;
