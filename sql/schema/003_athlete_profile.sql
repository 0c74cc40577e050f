-- Athlete settings from athlete.toml: the time zone their exports' wall-clock times are in.
ALTER TABLE fitness.athletes ADD COLUMN time_zone text;
