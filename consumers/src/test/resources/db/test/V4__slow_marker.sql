-- not idempotent on purpose: applied twice, the second CREATE fails
CREATE TABLE applied_once (at timestamptz NOT NULL DEFAULT now());
INSERT INTO applied_once DEFAULT VALUES;
SELECT pg_sleep(0.3);
