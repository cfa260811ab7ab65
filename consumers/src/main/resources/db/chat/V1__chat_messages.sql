-- Chat history: every message of every room, in the order the database accepted them (id).
CREATE TABLE chat_messages (
  id       bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  room     text        NOT NULL CHECK (char_length(room) BETWEEN 1 AND 100),
  username text        NOT NULL CHECK (char_length(username) BETWEEN 1 AND 150),
  message  text        NOT NULL,
  ts       timestamptz NOT NULL
);

-- "the last N of a room" and "N before a cursor" are both one backward index scan.
CREATE INDEX chat_messages_room_id ON chat_messages (room, id DESC);
