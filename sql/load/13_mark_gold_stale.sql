-- The shared exercise dimension changed (a classification Hevy gave, a muscle of the catalog):
-- every athlete who trained one of this load's exercises gets their Gold rows rebuilt, since Gold
-- is otherwise rebuilt only for the athletes a load changed.
DELETE FROM fitness.gold_athlete_state g
WHERE EXISTS (
    SELECT 1
    FROM fitness.workouts w
    JOIN fitness.workout_exercises we ON we.workout_id = w.workout_id
    JOIN fitness.exercises e ON e.exercise_id = we.exercise_id
    JOIN stage_exercises s ON s.exercise_key = e.exercise_key
    WHERE w.athlete_id = g.athlete_id
);
