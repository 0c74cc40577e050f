-- Each diet day lies inside the date range of the cycle it is labelled with.
-- asset: diet_daily
-- metric: days
-- scope: athlete
SELECT d.athlete_id, a.athlete_key, d.diet_date, c.cycle_number, c.start_date, c.end_date
FROM fitness.diet_daily d
JOIN fitness.athletes a USING (athlete_id)
JOIN fitness.cycles c ON c.athlete_id = d.athlete_id AND c.cycle_number = d.cycle_number
WHERE d.diet_date < c.start_date OR d.diet_date > c.end_date
ORDER BY 2, 3;
