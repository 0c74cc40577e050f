-- Body measurements (Hevy's measurements export and the Hevy API) and the bodyweight series every set's effective load reads.
CREATE TABLE fitness.body_measurements (
    athlete_id       bigint NOT NULL REFERENCES fitness.athletes (athlete_id) ON DELETE CASCADE,
    measured_on      date NOT NULL,
    source           text NOT NULL CHECK (source IN ('hevy_api', 'hevy_export')),
    weight_kg        numeric(6, 2),
    fat_percent      numeric(5, 2),
    lean_mass_kg     numeric(6, 2),
    neck_cm          numeric(6, 1),
    shoulder_cm      numeric(6, 1),
    chest_cm         numeric(6, 1),
    left_bicep_cm    numeric(6, 1),
    right_bicep_cm   numeric(6, 1),
    left_forearm_cm  numeric(6, 1),
    right_forearm_cm numeric(6, 1),
    abdomen_cm       numeric(6, 1),
    waist_cm         numeric(6, 1),
    hips_cm          numeric(6, 1),
    left_thigh_cm    numeric(6, 1),
    right_thigh_cm   numeric(6, 1),
    left_calf_cm     numeric(6, 1),
    right_calf_cm    numeric(6, 1),
    PRIMARY KEY (athlete_id, measured_on, source)
);

-- One weigh-in per athlete and day, whichever source holds it first in this order: the diet log
-- (the daily log intake is recorded with), then the Hevy API (the live account), then a Hevy
-- measurements export (a snapshot of the same account). Rebuilt by every load of the athlete.
CREATE TABLE fitness.bodyweight_daily (
    athlete_id    bigint NOT NULL REFERENCES fitness.athletes (athlete_id) ON DELETE CASCADE,
    measured_on   date NOT NULL,
    bodyweight_kg numeric(6, 2) NOT NULL CHECK (bodyweight_kg > 0),
    source        text NOT NULL CHECK (source IN ('diet_log', 'hevy_api', 'hevy_export')),
    PRIMARY KEY (athlete_id, measured_on)
);
