-- One row per event: the dedupe record, the raw delivery and the job at once.
-- Times are Unix milliseconds (UTC); event_timestamp is the provider's, in seconds.
CREATE TABLE hookproof_inbox (
    id INTEGER PRIMARY KEY AUTOINCREMENT, -- AUTOINCREMENT: purged ids are never reused
    event_key TEXT NOT NULL UNIQUE,       -- hex of the 32-byte event identity
    scheme TEXT NOT NULL,
    provider_id TEXT,                     -- unsigned, for display only
    received_at INTEGER NOT NULL,
    event_timestamp INTEGER,
    headers TEXT NOT NULL,                -- JSON object of the selected headers
    body BLOB NOT NULL,
    state TEXT NOT NULL CHECK (state IN ('pending', 'processing', 'done', 'dead')),
    attempts INTEGER NOT NULL DEFAULT 0,
    next_attempt_at INTEGER NOT NULL,     -- for processing rows: the lease expiry
    lease_owner TEXT,
    lease_expires_at INTEGER,
    last_error TEXT,
    processed_at INTEGER                  -- when the row became done or dead
);

CREATE INDEX hookproof_inbox_due ON hookproof_inbox (next_attempt_at, id) WHERE state IN ('pending', 'processing');
CREATE INDEX hookproof_inbox_state ON hookproof_inbox (state, id);
