-- Diet days on (athlete, date); a full diet re-export replaces the athlete's days.
WITH deleted AS (
    DELETE FROM fitness.diet_daily d
    WHERE d.athlete_id = :athlete_id AND :has_diet
      AND NOT EXISTS (SELECT 1 FROM stage_diet s WHERE s.diet_date = d.diet_date)
    RETURNING 1
), upserted AS (
    INSERT INTO fitness.diet_daily AS d
        (athlete_id, diet_date, carbs_g, protein_g, fat_g, calories_kcal, cardio_weekly_min,
         cycle_number, bodyweight_kg, notes)
    SELECT :athlete_id, diet_date, carbs_g, protein_g, fat_g, calories_kcal, cardio_weekly_min,
           cycle_number, bodyweight_kg, notes
    FROM stage_diet
    ON CONFLICT (athlete_id, diet_date) DO UPDATE
    SET carbs_g = EXCLUDED.carbs_g, protein_g = EXCLUDED.protein_g, fat_g = EXCLUDED.fat_g,
        calories_kcal = EXCLUDED.calories_kcal, cardio_weekly_min = EXCLUDED.cardio_weekly_min,
        cycle_number = EXCLUDED.cycle_number, bodyweight_kg = EXCLUDED.bodyweight_kg,
        notes = EXCLUDED.notes
    WHERE (d.carbs_g, d.protein_g, d.fat_g, d.calories_kcal, d.cardio_weekly_min, d.cycle_number,
           d.bodyweight_kg, d.notes)
          IS DISTINCT FROM (EXCLUDED.carbs_g, EXCLUDED.protein_g, EXCLUDED.fat_g,
                            EXCLUDED.calories_kcal, EXCLUDED.cardio_weekly_min,
                            EXCLUDED.cycle_number, EXCLUDED.bodyweight_kg, EXCLUDED.notes)
    RETURNING (xmax = 0) AS inserted
)
SELECT (SELECT count(*) FROM upserted WHERE inserted) AS inserted,
       (SELECT count(*) FROM upserted WHERE NOT inserted) AS updated,
       (SELECT count(*) FROM deleted) AS deleted;
