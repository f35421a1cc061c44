-- Write requests that need a human approval (issue 6). One row per request;
-- its status moves forward only (pending -> approved -> executing ->
-- executed | failed, or pending -> denied | expired | voided), always by a
-- compare-and-set UPDATE ... WHERE status = the expected one, so a request
-- is approved and executed at most once.
CREATE TABLE approval_requests (
  id               TEXT    NOT NULL PRIMARY KEY,
  tool             TEXT    NOT NULL,
  kind             TEXT    NOT NULL,
  params_json      TEXT    NOT NULL,
  hash             TEXT    NOT NULL,
  summary          TEXT    NOT NULL,
  exposure         TEXT    NOT NULL CHECK (exposure IN ('increasing', 'reducing', 'neutral')),
  symbol           TEXT,
  ref_price        REAL,
  idempotency_key  TEXT,
  session_id       TEXT,
  status           TEXT    NOT NULL CHECK (status IN ('pending', 'approved', 'executing', 'executed', 'failed', 'denied', 'expired', 'voided')),
  created_at       INTEGER NOT NULL,
  expires_at       INTEGER NOT NULL,
  approved_by      TEXT,
  approved_at      INTEGER,
  approved_hash    TEXT,
  decided_at       INTEGER,
  reason           TEXT,
  outcome_json     TEXT
);

CREATE INDEX approval_requests_by_status ON approval_requests (status, expires_at);
CREATE UNIQUE INDEX approval_requests_by_key ON approval_requests (idempotency_key) WHERE idempotency_key IS NOT NULL;

-- The audit log: every request, refusal, approval, denial, expiry, void and
-- execution, append-only. The triggers refuse any UPDATE or DELETE.
CREATE TABLE approval_audit (
  id          INTEGER PRIMARY KEY AUTOINCREMENT,
  ts          INTEGER NOT NULL,
  request_id  TEXT,
  kind        TEXT    NOT NULL,
  actor       TEXT    NOT NULL,
  detail      TEXT    NOT NULL,
  hash        TEXT,
  data_json   TEXT    NOT NULL
);

CREATE INDEX approval_audit_by_request ON approval_audit (request_id, id);
CREATE INDEX approval_audit_by_ts ON approval_audit (ts, id);

CREATE TRIGGER approval_audit_no_update BEFORE UPDATE ON approval_audit
BEGIN
  SELECT RAISE(ABORT, 'approval_audit is append-only: UPDATE refused');
END;

CREATE TRIGGER approval_audit_no_delete BEFORE DELETE ON approval_audit
BEGIN
  SELECT RAISE(ABORT, 'approval_audit is append-only: DELETE refused');
END;
