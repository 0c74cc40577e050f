-- Which load of each athlete the installed Gold was built from, so "is Gold current?" is a fact of the warehouse.
-- Every committed load gets a new load_id. A Gold build records, in the same snapshot as its
-- refresh, the load_id of every athlete it saw; Gold is current exactly when the two agree.
CREATE SEQUENCE fitness.load_ids;
ALTER TABLE fitness.athlete_loads ADD COLUMN load_id bigint NOT NULL DEFAULT nextval('fitness.load_ids');

CREATE TABLE fitness.gold_athlete_state (
    athlete_id   bigint PRIMARY KEY REFERENCES fitness.athletes (athlete_id) ON DELETE CASCADE,
    load_id      bigint NOT NULL,
    refreshed_at timestamptz NOT NULL DEFAULT now()
);
