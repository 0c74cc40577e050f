-- Core warehouse tables: athletes, the exercise catalog, workouts, sets, diet days, cycles, quarantine.
CREATE TABLE fitness.athletes (
    athlete_id   bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    athlete_key  text NOT NULL UNIQUE,
    display_name text
);

CREATE TABLE fitness.cycles (
    cycle_id     bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    athlete_id   bigint NOT NULL REFERENCES fitness.athletes (athlete_id) ON DELETE CASCADE,
    cycle_number integer NOT NULL,
    cycle_name   text NOT NULL,
    cycle_type   text NOT NULL CHECK (cycle_type IN ('cutting', 'bulking', 'reverse', 'maintenance', 'other')),
    start_date   date NOT NULL,
    end_date     date,
    UNIQUE (athlete_id, cycle_number),
    CHECK (end_date IS NULL OR end_date >= start_date)
);

CREATE TABLE fitness.muscle_groups (
    muscle_group_id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    muscle_group    text NOT NULL UNIQUE
);

CREATE TABLE fitness.exercises (
    exercise_id    bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    exercise_key   text NOT NULL UNIQUE,
    exercise_name  text NOT NULL,
    exercise_type  text NOT NULL,
    equipment      text NOT NULL,
    is_cardio      boolean NOT NULL,
    catalog_source text NOT NULL CHECK (catalog_source IN ('catalog', 'inferred'))
);

CREATE TABLE fitness.exercise_muscle_map (
    exercise_id     bigint NOT NULL REFERENCES fitness.exercises (exercise_id) ON DELETE CASCADE,
    muscle_group_id bigint NOT NULL REFERENCES fitness.muscle_groups (muscle_group_id),
    role            text NOT NULL CHECK (role IN ('primary', 'secondary')),
    PRIMARY KEY (exercise_id, muscle_group_id)
);
CREATE UNIQUE INDEX exercise_one_primary ON fitness.exercise_muscle_map (exercise_id)
    WHERE role = 'primary';

CREATE TABLE fitness.workouts (
    workout_id       bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    athlete_id       bigint NOT NULL REFERENCES fitness.athletes (athlete_id) ON DELETE CASCADE,
    source           text NOT NULL,
    start_time       timestamp NOT NULL,
    end_time         timestamp NOT NULL,
    workout_date     date NOT NULL,
    duration_minutes numeric(8, 2) NOT NULL,
    workout_name     text NOT NULL,
    description      text,
    UNIQUE (athlete_id, source, start_time),
    CHECK (end_time >= start_time)
);
CREATE INDEX workouts_athlete_date ON fitness.workouts (athlete_id, workout_date);

CREATE TABLE fitness.workout_exercises (
    workout_exercise_id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    workout_id          bigint NOT NULL REFERENCES fitness.workouts (workout_id) ON DELETE CASCADE,
    exercise_id         bigint NOT NULL REFERENCES fitness.exercises (exercise_id),
    exercise_order      integer NOT NULL,
    superset_id         integer,
    notes               text,
    UNIQUE (workout_id, exercise_order)
);
CREATE INDEX workout_exercises_exercise ON fitness.workout_exercises (exercise_id);

CREATE TABLE fitness.sets (
    set_id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    workout_exercise_id bigint NOT NULL REFERENCES fitness.workout_exercises (workout_exercise_id)
                            ON DELETE CASCADE,
    set_index           integer NOT NULL CHECK (set_index >= 0),
    set_type            text NOT NULL CHECK (set_type IN ('normal', 'warmup', 'failure', 'dropset')),
    weight_kg           numeric(8, 2) CHECK (weight_kg >= 0),
    reps                integer CHECK (reps >= 0),
    distance_km         numeric(10, 3) CHECK (distance_km >= 0),
    duration_seconds    integer CHECK (duration_seconds >= 0),
    rpe                 numeric(3, 1),
    UNIQUE (workout_exercise_id, set_index)
);

CREATE TABLE fitness.diet_daily (
    athlete_id        bigint NOT NULL REFERENCES fitness.athletes (athlete_id) ON DELETE CASCADE,
    diet_date         date NOT NULL,
    carbs_g           numeric(8, 2),
    protein_g         numeric(8, 2),
    fat_g             numeric(8, 2),
    calories_kcal     numeric(8, 2),
    cardio_weekly_min numeric(8, 2),
    cycle_number      integer,
    bodyweight_kg     numeric(6, 2),
    notes             text,
    PRIMARY KEY (athlete_id, diet_date),
    FOREIGN KEY (athlete_id, cycle_number) REFERENCES fitness.cycles (athlete_id, cycle_number)
        DEFERRABLE INITIALLY DEFERRED
);

CREATE TABLE fitness.rejected_rows (
    rejected_row_id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    athlete_id      bigint NOT NULL REFERENCES fitness.athletes (athlete_id) ON DELETE CASCADE,
    source_file     text NOT NULL,
    source_line     integer NOT NULL,
    rule            text NOT NULL,
    row_date        date,
    raw_values      jsonb NOT NULL,
    UNIQUE (athlete_id, source_file, source_line, rule)
);

-- Corrections from data/corrections.csv that the last load of an athlete applied.
CREATE TABLE fitness.applied_corrections (
    athlete_id     bigint NOT NULL REFERENCES fitness.athletes (athlete_id) ON DELETE CASCADE,
    workout_start  timestamp NOT NULL,
    exercise_title text NOT NULL,
    block          integer NOT NULL,
    set_index      integer NOT NULL,
    field          text NOT NULL,
    old_value      text,
    new_value      text NOT NULL,
    reason         text,
    PRIMARY KEY (athlete_id, workout_start, exercise_title, block, set_index, field)
);

-- What each athlete's last committed load was built from; an unchanged fingerprint skips the load.
CREATE TABLE fitness.athlete_loads (
    athlete_id  bigint PRIMARY KEY REFERENCES fitness.athletes (athlete_id) ON DELETE CASCADE,
    fingerprint text NOT NULL,
    files       jsonb NOT NULL,
    loaded_at   timestamptz NOT NULL DEFAULT now()
);
