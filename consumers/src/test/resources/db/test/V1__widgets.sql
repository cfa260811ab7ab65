CREATE TABLE widgets (id integer PRIMARY KEY, name text NOT NULL);
INSERT INTO widgets VALUES (1, 'first');
