"""Training programs of the sample athlete: one program per stretch of diet cycles.

Each split lists ``(exercise title, working sets, (min reps, max reps), start kg, end kg)``; a start
weight of ``None`` marks a bodyweight move (no weight) and ``"cardio"`` a cardio finisher.
The weekday keys are Python weekdays (0 = Monday).
"""

from datetime import date

P = None  # bodyweight move: sets carry reps but no weight

PROGRAMS: list[tuple[date, dict[int, tuple[str, list[tuple]]]]] = [
    (
        date(2023, 11, 20),
        {
            0: (
                "Treino A - Peito + Triceps",
                [
                    ("Bench Press (Barbell)", 4, (6, 10), 60, 92.5),
                    ("Incline Bench Press (Dumbbell)", 3, (8, 12), 22, 34),
                    ("Chest Fly (Machine)", 3, (10, 15), 45, 70),
                    ("Chest Dip", 3, (8, 12), P, P),
                    ("Triceps Pushdown", 3, (10, 15), 25, 41),
                    ("Skullcrusher (Barbell)", 3, (8, 12), 25, 40),
                ],
            ),
            1: (
                "Treino B - Costas + Biceps",
                [
                    ("Lat Pulldown (Cable)", 4, (8, 12), 55, 82),
                    ("Pull Up", 3, (6, 10), P, P),
                    ("Seated Cable Row - V Grip (Cable)", 3, (8, 12), 50, 78),
                    ("Bent Over Row (Barbell)", 3, (6, 10), 50, 80),
                    ("Preacher Curl (Machine)", 3, (8, 12), 30, 48),
                    ("Hammer Curl (Dumbbell)", 3, (10, 12), 12, 20),
                ],
            ),
            3: (
                "Treino C - Pernas",
                [
                    ("Squat (Barbell)", 4, (6, 10), 70, 120),
                    ("Leg Press (Machine)", 4, (8, 12), 160, 282.5),
                    ("Leg Extension (Machine)", 3, (10, 15), 45, 80),
                    ("Lying Leg Curl (Machine)", 3, (10, 12), 35, 60),
                    ("Standing Calf Raise (Machine)", 4, (12, 15), 60, 105),
                    ("Treadmill", 1, None, "cardio", None),
                ],
            ),
            4: (
                "Treino D - Ombros + Abdomen",
                [
                    ("Overhead Press (Barbell)", 4, (6, 10), 35, 57.5),
                    ("Lateral Raise (Dumbbell)", 3, (12, 15), 8, 14),
                    ("Rear Delt Reverse Fly (Machine)", 3, (12, 15), 30, 52),
                    ("Shrug (Dumbbell)", 3, (10, 15), 26, 42),
                    ("Knee Raise Parallel Bars", 3, (12, 15), P, P),
                    ("Cable Crunch", 3, (12, 15), 35, 60),
                ],
            ),
            5: (
                "Treino E - Pernas + Gluteos",
                [
                    ("Romanian Deadlift (Barbell)", 3, (8, 10), 60, 110),
                    ("Hip Thrust (Barbell)", 3, (8, 12), 70, 140),
                    ("Bulgarian Split Squat (Dumbbell)", 3, (8, 12), 12, 26),
                    ("Seated Leg Curl (Machine)", 3, (10, 12), 40, 68),
                    ("Back Extension (Hyperextension)", 3, (12, 15), P, P),
                    ("Stair Machine", 1, None, "cardio", None),
                ],
            ),
        },
    ),
    (
        date(2024, 3, 23),
        {
            0: (
                "Peito + Ombros - Treino 1",
                [
                    ("Incline Bench Press (Barbell)", 4, (6, 10), 55, 82.5),
                    ("Chest Press (Machine)", 3, (8, 12), 60, 95),
                    ("Butterfly (Pec Deck)", 3, (10, 15), 45, 72),
                    ("Shoulder Press (Dumbbell)", 3, (8, 12), 20, 32),
                    ("Lateral Raise (Cable)", 3, (12, 15), 6, 12),
                    ("Triceps Rope Pushdown", 3, (10, 15), 22, 38),
                ],
            ),
            1: (
                "Costas + Biceps + Lombar - Treino 2",
                [
                    ("Lat Pulldown (Cable)", 4, (8, 12), 55, 82),
                    ("Iso-Lateral Row (Machine)", 3, (8, 12), 60, 100),
                    ("T Bar Row", 3, (8, 10), 40, 72.5),
                    ("Back Extension (Hyperextension)", 3, (12, 15), P, P),
                    ("Bicep Curl (Machine)", 3, (8, 12), 36, 62),
                    ("EZ Bar Biceps Curl", 3, (8, 12), 25, 40),
                ],
            ),
            3: (
                "Pernas Completo - Treino 3",
                [
                    ("Hack Squat (Machine)", 4, (8, 10), 80, 150),
                    ("Leg Press (Machine)", 4, (8, 12), 160, 282.5),
                    ("Leg Extension (Machine)", 3, (10, 15), 45, 80),
                    ("Seated Leg Curl (Machine)", 3, (10, 12), 40, 68),
                    ("Seated Calf Raise", 4, (12, 15), 30, 60),
                    ("Spinning", 1, None, "cardio", None),
                ],
            ),
            4: (
                "Triceps + Ombros + Abdomen - Treino 4",
                [
                    ("Seated Overhead Press (Dumbbell)", 3, (8, 12), 20, 32),
                    ("Lateral Raise (Machine)", 3, (12, 15), 30, 52),
                    ("Face Pull", 3, (12, 15), 25, 42),
                    ("Overhead Triceps Extension (Cable)", 3, (10, 12), 20, 35),
                    ("Triceps Dip", 3, (8, 12), P, P),
                    ("Hanging Knee Raise", 3, (12, 15), P, P),
                ],
            ),
            5: (
                "Gluteos + Posterior - Treino 5",
                [
                    ("Stiff Leg Deadlift (Barbell)", 3, (8, 10), 60, 105),
                    ("Hip Thrust (Machine)", 3, (8, 12), 80, 150),
                    ("Glute Kickback (Machine)", 3, (10, 15), 30, 55),
                    ("Hip Abduction (Machine)", 3, (12, 15), 50, 85),
                    ("Standing Leg Curls", 3, (10, 12), 15, 30),
                    ("Air Bike", 1, None, "cardio", None),
                ],
            ),
        },
    ),
    (
        date(2024, 9, 29),
        {
            0: (
                "Superior A - Peito + Costas",
                [
                    ("Bench Press (Dumbbell)", 4, (6, 10), 26, 40),
                    ("Lat Pulldown - Close Grip (Cable)", 4, (8, 12), 55, 80),
                    ("Incline Chest Press (Machine)", 3, (8, 12), 50, 85),
                    ("Seated Row (Machine)", 3, (8, 12), 55, 90),
                    ("Cable Fly Crossovers", 3, (12, 15), 15, 27),
                    ("Pull Up", 3, (6, 10), P, P),
                ],
            ),
            1: (
                "Inferior A - Quadriceps",
                [
                    ("Pendulum Squat (Machine)", 4, (8, 10), 60, 120),
                    ("Leg Press (Machine)", 4, (8, 12), 160, 282.5),
                    ("Leg Extension (Machine)", 3, (10, 15), 45, 80),
                    ("Walking Lunge (Dumbbell)", 3, (10, 12), 14, 24),
                    ("Standing Calf Raise (Smith Machine)", 4, (10, 15), 60, 110),
                    ("Treadmill", 1, None, "cardio", None),
                ],
            ),
            3: (
                "Superior B - Ombros + Bracos",
                [
                    ("Shoulder Press (Machine)", 4, (8, 12), 40, 72),
                    ("Lateral Raise (Dumbbell)", 4, (12, 15), 8, 14),
                    ("Bicep Curl (Cable)", 3, (10, 12), 20, 35),
                    ("Triceps Pushdown", 3, (10, 15), 25, 41),
                    ("Hammer Curl (Cable)", 3, (10, 12), 20, 32),
                    ("Triceps Extension (Dumbbell)", 3, (10, 12), 14, 24),
                ],
            ),
            4: (
                "Inferior B - Posterior",
                [
                    ("Romanian Deadlift (Dumbbell)", 3, (8, 10), 24, 40),
                    ("Lying Leg Curl (Machine)", 4, (10, 12), 35, 60),
                    ("Hip Thrust (Smith Machine)", 3, (8, 12), 70, 130),
                    ("Hip Adduction (Machine)", 3, (12, 15), 50, 90),
                    ("Back Extension (Hyperextension)", 3, (12, 15), P, P),
                    ("Stair Machine (Floors)", 1, None, "cardio", None),
                ],
            ),
            5: (
                "Full Body",
                [
                    ("Deadlift (Barbell)", 3, (4, 6), 100, 160),
                    ("Chest Press (Machine)", 3, (8, 12), 60, 95),
                    ("Bent Over Row (Dumbbell)", 3, (8, 12), 24, 40),
                    ("Goblet Squat", 3, (10, 12), 24, 40),
                    ("Crunch (Machine)", 3, (12, 15), 40, 70),
                    ("Air Bike", 1, None, "cardio", None),
                ],
            ),
        },
    ),
    (
        date(2025, 4, 18),
        {
            0: (
                "Treino A - Costas + Biceps",
                [
                    ("Lat Pulldown (Machine)", 4, (8, 12), 55, 85),
                    ("Iso-Lateral Low Row", 3, (8, 12), 60, 100),
                    ("Chest Supported Incline Row (Dumbbell)", 3, (8, 12), 20, 34),
                    ("Straight Arm Lat Pulldown (Cable)", 3, (12, 15), 25, 42),
                    ("Bicep Curl (Dumbbell)", 3, (8, 12), 12, 20),
                    ("Preacher Curl (Machine)", 3, (8, 12), 30, 48),
                ],
            ),
            1: (
                "Treino B - Peito + Ombros",
                [
                    ("Incline Bench Press (Smith Machine)", 4, (6, 10), 50, 85),
                    ("Chest Press (Machine)", 3, (8, 12), 60, 95),
                    ("Chest Fly (Dumbbell)", 3, (10, 15), 12, 22),
                    ("Shoulder Press (Smith Machine)", 3, (8, 12), 30, 55),
                    ("Lateral Raise (Dumbbell)", 3, (12, 15), 8, 14),
                    ("Rear Delt Reverse Fly (Cable)", 3, (12, 15), 8, 16),
                ],
            ),
            2: (
                "Treino C - Pernas",
                [
                    ("Squat (Smith Machine)", 4, (6, 10), 60, 110),
                    ("Leg Press (Machine)", 4, (8, 12), 160, 282.5),
                    ("Single Leg Extensions", 3, (10, 15), 20, 40),
                    ("Seated Leg Curl (Machine)", 3, (10, 12), 40, 68),
                    ("Calf Press on Leg Press", 4, (12, 15), 100, 180),
                    ("Stair Machine", 1, None, "cardio", None),
                ],
            ),
            4: (
                "Treino D - Bracos + Abdomen",
                [
                    ("EZ Bar Biceps Curl", 3, (8, 12), 25, 40),
                    ("Close Grip Bench Press (Barbell)", 3, (6, 10), 50, 80),
                    ("Spider Curl (Dumbbell)", 3, (10, 12), 8, 16),
                    ("Triceps Kickback (Cable)", 3, (10, 15), 6, 14),
                    ("Hanging Leg Raise", 3, (10, 15), P, P),
                    ("Russian Twist (Weighted)", 3, (16, 20), 5, 12),
                ],
            ),
            5: (
                "Treino E - Posterior + Gluteos",
                [
                    ("Good Morning (Barbell)", 3, (8, 10), 40, 70),
                    ("Hip Thrust (Barbell)", 3, (8, 12), 70, 140),
                    ("Reverse Lunge (Dumbbell)", 3, (10, 12), 12, 24),
                    ("Hip Abduction (Machine)", 3, (12, 15), 50, 85),
                    ("Back Extension (Weighted Hyperextension)", 3, (10, 12), 5, 20),
                    ("Spinning", 1, None, "cardio", None),
                ],
            ),
        },
    ),
    (
        date(2025, 10, 6),
        {
            0: (
                "Push - Peito + Ombros + Triceps",
                [
                    ("Bench Press (Smith Machine)", 4, (6, 10), 60, 95),
                    ("Incline Bench Press (Dumbbell)", 3, (8, 12), 22, 34),
                    ("Low Cable Fly Crossovers", 3, (12, 15), 10, 20),
                    ("Arnold Press (Dumbbell)", 3, (8, 12), 14, 24),
                    ("Single Arm Lateral Raise (Cable)", 3, (12, 15), 5, 10),
                    ("Triceps Rope Pushdown", 3, (10, 15), 22, 38),
                ],
            ),
            1: (
                "Pull - Costas + Biceps",
                [
                    ("Lat Pulldown (Cable)", 4, (8, 12), 55, 82),
                    ("Pull Up", 3, (6, 10), P, P),
                    ("Seated Cable Row - Bar Grip", 3, (8, 12), 50, 80),
                    ("Dumbbell Row", 3, (8, 12), 26, 42),
                    ("Bicep Curl (Barbell)", 3, (8, 12), 25, 42),
                    ("Hammer Curl (Dumbbell)", 3, (10, 12), 12, 20),
                ],
            ),
            2: (
                "Legs - Pernas",
                [
                    ("Hack Squat (Machine)", 4, (8, 10), 80, 150),
                    ("Leg Press (Machine)", 4, (8, 12), 160, 282.5),
                    ("Leg Extension (Machine)", 3, (10, 15), 45, 80),
                    ("Lying Leg Curl (Machine)", 3, (10, 12), 35, 60),
                    ("Seated Calf Raise (Machine)", 4, (12, 15), 30, 60),
                    ("Treadmill", 1, None, "cardio", None),
                ],
            ),
            4: (
                "Upper - Superior",
                [
                    ("Chest Press (Machine)", 3, (8, 12), 60, 95),
                    ("Iso-Lateral High Row (Machine)", 3, (8, 12), 40, 75),
                    ("Shoulder Press (Machine)", 3, (8, 12), 40, 72),
                    ("Reverse Grip Lat Pulldown (Cable)", 3, (8, 12), 45, 72),
                    ("Overhead Triceps Extension (Cable)", 3, (10, 12), 20, 35),
                    ("Rope Cable Curl", 3, (10, 12), 20, 34),
                ],
            ),
            5: (
                "Lower - Inferior",
                [
                    ("Romanian Deadlift (Barbell)", 3, (8, 10), 60, 110),
                    ("Hip Thrust (Machine)", 3, (8, 12), 80, 150),
                    ("Bulgarian Split Squat (Smith Machine)", 3, (8, 12), 30, 60),
                    ("Seated Leg Curl (Machine)", 3, (10, 12), 40, 68),
                    ("Knee Raise Parallel Bars", 3, (12, 15), P, P),
                    ("Air Bike", 1, None, "cardio", None),
                ],
            ),
        },
    ),
]

# Titles that the original athlete logged exactly once, each as a single set.
SINGLETONS: list[tuple[date, str, dict]] = [
    (date(2024, 2, 9), "Squat (Bodyweight)", {"reps": 20}),
    (date(2024, 6, 21), "Plank", {"duration_seconds": 60}),
    (date(2024, 11, 8), "Push Up", {"reps": 25}),
    (date(2025, 3, 4), "Walking", {"duration_seconds": 1800, "distance_km": 2.4}),
    (date(2025, 8, 12), "Stair Machine (Steps)", {"duration_seconds": 900}),
]

MISSED_WEEKS = [date(2023, 12, 25), date(2024, 7, 29), date(2024, 12, 23), date(2025, 8, 4)]

# Occasional swaps (machine taken, a variation for a change): the alternate keeps the weight scale.
ALTERNATES: dict[str, tuple[str, float]] = {
    "Squat (Barbell)": ("Front Squat (Barbell)", 0.8),
    "Lat Pulldown (Cable)": ("Single Arm Lat Pulldown", 0.45),
    "Lateral Raise (Dumbbell)": ("Upright Row (Cable)", 2.5),
    "Seated Calf Raise": ("Single Leg Standing Calf Raise (Dumbbell)", 0.5),
    "Cable Crunch": ("Decline Crunch", None),
    "Triceps Pushdown": ("Single Arm Triceps Pushdown (Cable)", 0.45),
}
