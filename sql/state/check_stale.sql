-- The athletes a warehouse check must look at again: loaded since it last looked at them, or looked
-- at with another definition of the check.
SELECT l.athlete_id, l.load_id
FROM fitness.athlete_loads l
LEFT JOIN fitness.check_athlete_state s ON s.athlete_id = l.athlete_id AND s.check_name = :check
WHERE s.load_id IS DISTINCT FROM l.load_id OR s.definition IS DISTINCT FROM :definition
ORDER BY l.athlete_id;
