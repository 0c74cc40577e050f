-- A check's findings for athletes that no longer have a load (their rows are gone).
DELETE FROM fitness.check_athlete_state s
WHERE s.check_name = :check
  AND NOT EXISTS (SELECT 1 FROM fitness.athlete_loads l WHERE l.athlete_id = s.athlete_id);
