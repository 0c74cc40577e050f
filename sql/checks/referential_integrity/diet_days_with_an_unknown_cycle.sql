-- Diet days labelled with a cycle their athlete does not have.
-- foreign_key: diet_daily (athlete_id, cycle_number) -> cycles (athlete_id, cycle_number)
SELECT count(*) FROM fitness.diet_daily d
WHERE d.cycle_number IS NOT NULL
  AND NOT EXISTS (SELECT 1 FROM fitness.cycles c
                  WHERE c.athlete_id = d.athlete_id AND c.cycle_number = d.cycle_number);
