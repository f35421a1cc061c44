-- 0004_parameters: versioned trading parameters (DTMS, exits, risk). Forward-only.
-- Append-only history: one row per version, never updated or deleted (the
-- triggers refuse it). Every change, rollback and automatic rollback is a new
-- version; the version in effect is always the highest one, so exactly one is
-- active. A running server polls the highest version, which is how a CLI
-- rollback written to this table reaches it.
CREATE TABLE parameter_versions (
  version      INTEGER PRIMARY KEY,
  created_at   INTEGER NOT NULL,
  -- Who caused it: default, approval:<requestId>, cli, rollback, auto-rollback.
  created_by   TEXT    NOT NULL,
  reason       TEXT    NOT NULL,
  -- The full parameter set as JSON (sections dtms, exits, risk).
  params_json  TEXT    NOT NULL,
  -- The version this one was derived from (the one in effect before), NULL for the first.
  parent       INTEGER REFERENCES parameter_versions (version),
  -- For a rollback: the version whose parameters it restores; NULL otherwise.
  restores     INTEGER REFERENCES parameter_versions (version)
);

CREATE TRIGGER parameter_versions_no_update BEFORE UPDATE ON parameter_versions
BEGIN
  SELECT RAISE(ABORT, 'parameter_versions is append-only');
END;

CREATE TRIGGER parameter_versions_no_delete BEFORE DELETE ON parameter_versions
BEGIN
  SELECT RAISE(ABORT, 'parameter_versions is append-only');
END;
