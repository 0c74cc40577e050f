-- The calendar dimension, the trend-weight aggregate the Gold views smooth bodyweight with, and the targets adherence is measured against.
CREATE TABLE fitness.calendar (
    day         date PRIMARY KEY,
    week_start  date NOT NULL,
    week_end    date NOT NULL,
    iso_year    integer NOT NULL,
    iso_week    integer NOT NULL,
    iso_dow     integer NOT NULL CHECK (iso_dow BETWEEN 1 AND 7),
    month_start date NOT NULL,
    year        integer NOT NULL,
    month       integer NOT NULL
);
INSERT INTO fitness.calendar
SELECT d, date_trunc('week', d)::date, date_trunc('week', d)::date + 6,
       extract(isoyear FROM d)::integer, extract(week FROM d)::integer,
       extract(isodow FROM d)::integer, date_trunc('month', d)::date,
       extract(year FROM d)::integer, extract(month FROM d)::integer
FROM generate_series(DATE '1990-01-01', DATE '2069-12-31', interval '1 day') AS g(t),
     LATERAL (SELECT t::date AS d) day;

-- Exponential smoothing of weigh-ins over calendar days (the Hacker's Diet trend): each weigh-in
-- moves the trend by a fraction of the gap, 1 - (1 - smoothing)^days since the last weigh-in, so a
-- day without a weigh-in is skipped (never read as a zero) and a long gap lets the new weigh-in
-- count for more. State: {trend, day number of the last weigh-in}.
CREATE FUNCTION fitness.trend_step(state double precision[], weight double precision, day date,
                                   smoothing double precision)
RETURNS double precision[] LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT CASE
        WHEN weight IS NULL THEN state
        WHEN state IS NULL THEN ARRAY[weight, (day - DATE '1970-01-01')::double precision]
        ELSE ARRAY[
            state[1] + (1 - power(1 - smoothing, (day - DATE '1970-01-01') - state[2]))
                       * (weight - state[1]),
            (day - DATE '1970-01-01')::double precision]
    END
$$;
CREATE FUNCTION fitness.trend_value(state double precision[]) RETURNS double precision
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$ SELECT state[1] $$;
CREATE AGGREGATE fitness.trend_weight(double precision, date, double precision) (
    SFUNC = fitness.trend_step,
    STYPE = double precision[],
    FINALFUNC = fitness.trend_value
);

-- Targets from athlete.toml ([targets]) and, per cycle, from cycles.csv.
ALTER TABLE fitness.athletes
    ADD COLUMN target_sessions_per_week numeric(4, 1),
    ADD COLUMN target_calories_kcal numeric(7, 1),
    ADD COLUMN target_protein_g numeric(6, 1);
ALTER TABLE fitness.cycles
    ADD COLUMN target_calories_kcal numeric(7, 1),
    ADD COLUMN target_protein_g numeric(6, 1);
