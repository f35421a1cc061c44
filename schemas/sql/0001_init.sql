-- 0001_init: the first UTP schema. Forward-only: never edit this file once it has
-- shipped (migrate.ts checks its sha256); add 0002_*.sql instead.
-- Times are epoch milliseconds UTC. `ts_event` = venue time, `ts_init` = our time.
-- Runs inside one transaction opened by migrate.ts: no BEGIN/COMMIT here.

-- Every tick accepted into the unified stream (bus topic `tick.fused`).
-- One row per venue fact: the primary key is the tick's identity, so re-inserting
-- a stored tick is a no-op (replays and gap-fills may overlap) and range queries
-- by (symbol, ts_event) read the table in key order; there is no secondary index.
-- `kind`: 'T' trade, 'Q' quote, 'B' both; it separates id spaces that share a
-- source (a Binance aggTrade id `a` and a bookTicker update id `u`).
-- `seq`: the venue sequence id; a tick without one (MT5) is stored with a
-- synthetic negative seq = -(1 + its ordinal among the ticks of the same symbol,
-- source and ts_event, in arrival order), and reads back as seq null.
CREATE TABLE unified_ticks (
  symbol      TEXT    NOT NULL,
  ts_event    INTEGER NOT NULL,
  source      TEXT    NOT NULL,
  kind        TEXT    NOT NULL CHECK (kind IN ('T', 'Q', 'B')),
  seq         INTEGER NOT NULL,
  ts_init     INTEGER NOT NULL,
  bid         REAL,
  ask         REAL,
  last        REAL,
  volume      REAL    NOT NULL CHECK (volume >= 0),
  trades      INTEGER NOT NULL CHECK (trades >= 0),
  taker_side  TEXT    CHECK (taker_side IN ('buy', 'sell')),
  "offset"    REAL    NOT NULL DEFAULT 0,
  PRIMARY KEY (symbol, ts_event, source, kind, seq)
) WITHOUT ROWID;

-- Candles of every timeframe; one row per (symbol, timeframe, source key, open time).
-- `source` is the candle's sources joined with '+', e.g. 'binance' or 'binance+mt5'.
-- atr .. structure_json are filled by later analysers and are NULL until then.
CREATE TABLE candles (
  symbol                  TEXT    NOT NULL,
  timeframe               TEXT    NOT NULL,
  source                  TEXT    NOT NULL,
  open_time               INTEGER NOT NULL,
  open                    REAL    NOT NULL,
  high                    REAL    NOT NULL,
  low                     REAL    NOT NULL,
  close                   REAL    NOT NULL,
  volume                  REAL    NOT NULL,
  quote_volume            REAL    NOT NULL,
  trades                  INTEGER NOT NULL,
  taker_buy_volume        REAL    NOT NULL,
  taker_buy_quote_volume  REAL    NOT NULL,
  basis                   TEXT    NOT NULL,
  closed                  INTEGER NOT NULL CHECK (closed IN (0, 1)),
  ts_event                INTEGER NOT NULL,
  ts_init                 INTEGER NOT NULL,
  atr                     REAL,
  vwap                    REAL,
  volatility_state        TEXT,
  structure_label         TEXT,
  structure_json          TEXT,
  PRIMARY KEY (symbol, timeframe, source, open_time)
) WITHOUT ROWID;

-- Every action the DTMS engine took on a position, with the state transition.
CREATE TABLE dtms_actions (
  id               INTEGER PRIMARY KEY,
  position_ticket  TEXT    NOT NULL,
  symbol           TEXT    NOT NULL,
  action           TEXT    NOT NULL,
  reason           TEXT    NOT NULL,
  state_from       TEXT,
  state_to         TEXT,
  data_json        TEXT    NOT NULL DEFAULT '{}',
  ts_event         INTEGER NOT NULL,
  ts_init          INTEGER NOT NULL
);

CREATE INDEX ix_dtms_actions_ticket_ts ON dtms_actions (position_ticket, ts_event);
CREATE INDEX ix_dtms_actions_symbol_ts ON dtms_actions (symbol, ts_event);

-- Multi-timeframe analyses served to a model, kept for review.
CREATE TABLE analysis_history (
  id           INTEGER PRIMARY KEY,
  symbol       TEXT    NOT NULL,
  timeframes   TEXT    NOT NULL,
  question     TEXT,
  answer_json  TEXT    NOT NULL,
  model        TEXT,
  ts           INTEGER NOT NULL
);

CREATE INDEX ix_analysis_history_symbol_ts ON analysis_history (symbol, ts);

-- System events (feed connected, frame dropped, replay looped ...).
CREATE TABLE event_log (
  id          INTEGER PRIMARY KEY,
  kind        TEXT    NOT NULL,
  level       TEXT    NOT NULL CHECK (level IN ('info', 'warn', 'error')),
  component   TEXT    NOT NULL,
  symbol      TEXT,
  message     TEXT    NOT NULL,
  data_json   TEXT    NOT NULL DEFAULT '{}',
  ts_event    INTEGER NOT NULL,
  ts_init     INTEGER NOT NULL
);

CREATE INDEX ix_event_log_ts ON event_log (ts_event);
CREATE INDEX ix_event_log_kind_ts ON event_log (kind, ts_event);

-- One row per import of a recorded file (CSV, archive), with its outcome.
CREATE TABLE import_runs (
  id           INTEGER PRIMARY KEY,
  file         TEXT    NOT NULL,
  source       TEXT    NOT NULL,
  symbol       TEXT,
  rows_ok      INTEGER NOT NULL DEFAULT 0 CHECK (rows_ok >= 0),
  rows_bad     INTEGER NOT NULL DEFAULT 0 CHECK (rows_bad >= 0),
  status       TEXT    NOT NULL CHECK (status IN ('running', 'ok', 'failed')),
  error        TEXT,
  started_at   INTEGER NOT NULL,
  finished_at  INTEGER
);

CREATE INDEX ix_import_runs_started ON import_runs (started_at);
