-- Diet cycles on (athlete, cycle number), as parsed from the diet log's labels (or cycles.csv),
-- with their daily targets.
WITH deleted AS (
    DELETE FROM fitness.cycles c
    WHERE c.athlete_id = :athlete_id AND :has_diet
      AND NOT EXISTS (SELECT 1 FROM stage_cycles s WHERE s.cycle_number = c.cycle_number)
    RETURNING 1
), upserted AS (
    INSERT INTO fitness.cycles AS c
        (athlete_id, cycle_number, cycle_name, cycle_type, start_date, end_date,
         target_calories_kcal, target_protein_g)
    SELECT :athlete_id, cycle_number, cycle_name, cycle_type, start_date, end_date,
           target_calories_kcal, target_protein_g
    FROM stage_cycles
    ON CONFLICT (athlete_id, cycle_number) DO UPDATE
    SET cycle_name = EXCLUDED.cycle_name, cycle_type = EXCLUDED.cycle_type,
        start_date = EXCLUDED.start_date, end_date = EXCLUDED.end_date,
        target_calories_kcal = EXCLUDED.target_calories_kcal,
        target_protein_g = EXCLUDED.target_protein_g
    WHERE (c.cycle_name, c.cycle_type, c.start_date, c.end_date, c.target_calories_kcal,
           c.target_protein_g)
          IS DISTINCT FROM (EXCLUDED.cycle_name, EXCLUDED.cycle_type, EXCLUDED.start_date,
                            EXCLUDED.end_date, EXCLUDED.target_calories_kcal,
                            EXCLUDED.target_protein_g)
    RETURNING (xmax = 0) AS inserted
)
SELECT (SELECT count(*) FROM upserted WHERE inserted) AS inserted,
       (SELECT count(*) FROM upserted WHERE NOT inserted) AS updated,
       (SELECT count(*) FROM deleted) AS deleted;
