-- Every athlete, by key.
SELECT athlete_key FROM fitness.athletes ORDER BY athlete_key;
