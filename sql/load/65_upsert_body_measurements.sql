-- Body measurements on (athlete, day, source); a load that holds any replaces the athlete's.
WITH deleted AS (
    DELETE FROM fitness.body_measurements b
    WHERE b.athlete_id = :athlete_id AND :has_body
      AND NOT EXISTS (SELECT 1 FROM stage_body s
                      WHERE s.measured_on = b.measured_on AND s.source = b.source)
    RETURNING 1
), upserted AS (
    INSERT INTO fitness.body_measurements AS b (athlete_id, measured_on, source, weight_kg, fat_percent, lean_mass_kg, neck_cm, shoulder_cm, chest_cm, left_bicep_cm, right_bicep_cm, left_forearm_cm, right_forearm_cm, abdomen_cm, waist_cm, hips_cm, left_thigh_cm, right_thigh_cm, left_calf_cm, right_calf_cm)
    SELECT :athlete_id, measured_on, source, weight_kg, fat_percent, lean_mass_kg, neck_cm, shoulder_cm, chest_cm, left_bicep_cm, right_bicep_cm, left_forearm_cm, right_forearm_cm, abdomen_cm, waist_cm, hips_cm, left_thigh_cm, right_thigh_cm, left_calf_cm, right_calf_cm
    FROM stage_body
    ON CONFLICT (athlete_id, measured_on, source) DO UPDATE
    SET weight_kg = EXCLUDED.weight_kg,
        fat_percent = EXCLUDED.fat_percent,
        lean_mass_kg = EXCLUDED.lean_mass_kg,
        neck_cm = EXCLUDED.neck_cm,
        shoulder_cm = EXCLUDED.shoulder_cm,
        chest_cm = EXCLUDED.chest_cm,
        left_bicep_cm = EXCLUDED.left_bicep_cm,
        right_bicep_cm = EXCLUDED.right_bicep_cm,
        left_forearm_cm = EXCLUDED.left_forearm_cm,
        right_forearm_cm = EXCLUDED.right_forearm_cm,
        abdomen_cm = EXCLUDED.abdomen_cm,
        waist_cm = EXCLUDED.waist_cm,
        hips_cm = EXCLUDED.hips_cm,
        left_thigh_cm = EXCLUDED.left_thigh_cm,
        right_thigh_cm = EXCLUDED.right_thigh_cm,
        left_calf_cm = EXCLUDED.left_calf_cm,
        right_calf_cm = EXCLUDED.right_calf_cm
    WHERE (b.weight_kg, b.fat_percent, b.lean_mass_kg, b.neck_cm, b.shoulder_cm, b.chest_cm, b.left_bicep_cm, b.right_bicep_cm, b.left_forearm_cm, b.right_forearm_cm, b.abdomen_cm, b.waist_cm, b.hips_cm, b.left_thigh_cm, b.right_thigh_cm, b.left_calf_cm, b.right_calf_cm)
          IS DISTINCT FROM (EXCLUDED.weight_kg, EXCLUDED.fat_percent, EXCLUDED.lean_mass_kg, EXCLUDED.neck_cm, EXCLUDED.shoulder_cm, EXCLUDED.chest_cm, EXCLUDED.left_bicep_cm, EXCLUDED.right_bicep_cm, EXCLUDED.left_forearm_cm, EXCLUDED.right_forearm_cm, EXCLUDED.abdomen_cm, EXCLUDED.waist_cm, EXCLUDED.hips_cm, EXCLUDED.left_thigh_cm, EXCLUDED.right_thigh_cm, EXCLUDED.left_calf_cm, EXCLUDED.right_calf_cm)
    RETURNING (xmax = 0) AS inserted
)
SELECT (SELECT count(*) FROM upserted WHERE inserted) AS inserted,
       (SELECT count(*) FROM upserted WHERE NOT inserted) AS updated,
       (SELECT count(*) FROM deleted) AS deleted;
