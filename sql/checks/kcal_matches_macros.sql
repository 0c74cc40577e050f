-- Logged kcal within the tolerance of 4·carbs + 4·protein + 9·fat.
-- asset: diet_daily
-- metric: days
-- scope: athlete
SELECT d.athlete_id, a.athlete_key, d.diet_date, d.calories_kcal,
       4 * d.carbs_g + 4 * d.protein_g + 9 * d.fat_g AS kcal_from_macros
FROM fitness.diet_daily d JOIN fitness.athletes a USING (athlete_id)
WHERE abs(d.calories_kcal - (4 * d.carbs_g + 4 * d.protein_g + 9 * d.fat_g)) > :tolerance
ORDER BY 2, 3;
