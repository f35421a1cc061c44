-- Confirmed market-structure events (bus topic structure.event), one row per
-- event, never updated: an event is emitted once confirmed and never changed.
-- Events of the symbol's primary candle source; ids are deterministic
-- (symbol:timeframe:kind:direction:formedAt:confirmedAt[:anchor]), so a replay
-- of the same candles inserts nothing new (INSERT OR IGNORE).
CREATE TABLE structure_events (
  id            TEXT    NOT NULL PRIMARY KEY,
  symbol        TEXT    NOT NULL,
  timeframe     TEXT    NOT NULL,
  kind          TEXT    NOT NULL,
  direction     TEXT    NOT NULL CHECK (direction IN ('bullish', 'bearish')),
  level         REAL,
  top           REAL,
  bottom        REAL,
  formed_at     INTEGER NOT NULL,
  confirmed_at  INTEGER NOT NULL,
  refs_json     TEXT    NOT NULL
);

CREATE INDEX structure_events_by_series ON structure_events (symbol, timeframe, confirmed_at);
