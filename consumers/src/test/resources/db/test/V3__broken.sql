CREATE TABLE half_done (id integer);
SELECT 1 / 0;
