-- One row per athlete and ISO week with a diet log: averages over logged days and the week's cycle.
-- grain: athlete_id, week_start
-- days is read twice; NOT MATERIALIZED lets an athlete filter reach diet_daily's index.
WITH days AS NOT MATERIALIZED (
    SELECT d.*, date_trunc('week', d.diet_date)::date AS week_start
    FROM fitness.diet_daily d
), agg AS (
    SELECT athlete_id, week_start,
           avg(calories_kcal) AS avg_calories_kcal,
           avg(carbs_g) AS avg_carbs_g,
           avg(protein_g) AS avg_protein_g,
           avg(fat_g) AS avg_fat_g,
           avg(bodyweight_kg) AS avg_bodyweight_kg,
           -- a weekly target repeated daily: the value on the last logged day counts
           (array_agg(cardio_weekly_min ORDER BY diet_date DESC))[1] AS cardio_weekly_min,
           count(*) AS logged_days,
           count(bodyweight_kg) AS weighed_days,
           count(*) FILTER (WHERE abs(calories_kcal - (4 * carbs_g + 4 * protein_g + 9 * fat_g)) > 25)
               AS kcal_mismatch_days
    FROM days
    GROUP BY 1, 2
), cycle_days AS (
    SELECT d.athlete_id, d.week_start, c.cycle_number, c.start_date, count(*) AS days
    FROM days d
    JOIN fitness.cycles c ON c.athlete_id = d.athlete_id AND c.cycle_number = d.cycle_number
    GROUP BY 1, 2, 3, 4
), week_cycle AS (
    -- the cycle covering most logged days; a tie goes to the later cycle
    SELECT DISTINCT ON (athlete_id, week_start) athlete_id, week_start, cycle_number
    FROM cycle_days
    ORDER BY athlete_id, week_start, days DESC, start_date DESC, cycle_number DESC
)
SELECT a.*, wc.cycle_number
FROM agg a
LEFT JOIN week_cycle wc USING (athlete_id, week_start)
