-- The squares this app has served: one row per n, how often it was asked for.
CREATE TABLE quickstart_squares (
  n          bigint      PRIMARY KEY,
  square     numeric     NOT NULL,
  requests   bigint      NOT NULL DEFAULT 1,
  last_asked timestamptz NOT NULL DEFAULT now()
);
