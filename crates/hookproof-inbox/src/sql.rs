//! The statements, shared by both backends where the SQL is the same
//! (`$N` parameters work on SQLite too).

/// Stores `rows` deliveries in one SQLite statement (a key already stored is
/// skipped and returns no row): 8 parameters
/// per row (key, scheme, provider id, received at, timestamp, headers, body,
/// and received at again as the first due time).
pub(crate) fn insert_many_sqlite(rows: usize) -> String {
    let mut statement = String::from(
        "INSERT INTO hookproof_inbox \
         (event_key, scheme, provider_id, received_at, event_timestamp, headers, body, next_attempt_at, state, attempts) \
         VALUES ",
    );
    for row in 0..rows {
        statement.push_str(if row == 0 {
            "(?, ?, ?, ?, ?, ?, ?, ?, 'pending', 0)"
        } else {
            ", (?, ?, ?, ?, ?, ?, ?, ?, 'pending', 0)"
        });
    }
    statement.push_str(" ON CONFLICT (event_key) DO NOTHING RETURNING id, event_key");
    statement
}

/// Stores a whole group in one statement (PostgreSQL arrays). An
/// autocommit statement: one transaction, one fsync.
pub(crate) const INSERT_MANY_POSTGRES: &str = "INSERT INTO hookproof_inbox \
     (event_key, scheme, provider_id, received_at, event_timestamp, headers, body, state, attempts, next_attempt_at) \
     SELECT event_key, scheme, provider_id, received_at, event_timestamp, headers, body, 'pending', 0, received_at \
     FROM UNNEST($1::text[], $2::text[], $3::text[], $4::bigint[], $5::bigint[], $6::text[], $7::bytea[]) \
          AS delivery(event_key, scheme, provider_id, received_at, event_timestamp, headers, body) \
     ON CONFLICT (event_key) DO NOTHING RETURNING id, event_key";

// A processing row's next_attempt_at is its lease expiry, so one index
// finds both due pending rows and expired leases. SQLite is told to use it:
// without statistics its planner picks the (state, id) index and sorts every
// pending row on each claim, which makes draining a backlog quadratic.
pub(crate) const CLAIM_SQLITE: &str = "UPDATE hookproof_inbox \
     SET state = 'processing', attempts = attempts + 1, lease_owner = $1, lease_expires_at = $2, next_attempt_at = $2 \
     WHERE id IN (SELECT id FROM hookproof_inbox INDEXED BY hookproof_inbox_due \
                  WHERE state IN ('pending', 'processing') AND next_attempt_at <= $3 \
                  ORDER BY next_attempt_at, id LIMIT $4) \
     RETURNING id, event_key, scheme, provider_id, received_at, event_timestamp, headers, body, attempts, lease_owner";

pub(crate) const CLAIM_POSTGRES: &str = "WITH due AS ( \
         SELECT id FROM hookproof_inbox WHERE state IN ('pending', 'processing') AND next_attempt_at <= $3 \
         ORDER BY next_attempt_at, id LIMIT $4 FOR UPDATE SKIP LOCKED) \
     UPDATE hookproof_inbox AS inbox \
     SET state = 'processing', attempts = inbox.attempts + 1, lease_owner = $1, lease_expires_at = $2, next_attempt_at = $2 \
     FROM due WHERE inbox.id = due.id \
     RETURNING inbox.id, inbox.event_key, inbox.scheme, inbox.provider_id, inbox.received_at, inbox.event_timestamp, \
               inbox.headers, inbox.body, inbox.attempts, inbox.lease_owner";

// Settling statements act only while ($3 owner, $4 attempts) still holds the
// claim: every claim increments attempts, so a stale claim cannot settle.
pub(crate) const RENEW: &str = "UPDATE hookproof_inbox SET lease_expires_at = $1, next_attempt_at = $1 \
     WHERE id = $2 AND lease_owner = $3 AND attempts = $4 AND state = 'processing'";

pub(crate) const COMPLETE: &str = "UPDATE hookproof_inbox \
     SET state = 'done', processed_at = $1, lease_owner = NULL, lease_expires_at = NULL \
     WHERE id = $2 AND lease_owner = $3 AND attempts = $4 AND state = 'processing'";

pub(crate) const FAIL: &str = "UPDATE hookproof_inbox \
     SET state = 'pending', next_attempt_at = $1, last_error = $5, lease_owner = NULL, lease_expires_at = NULL \
     WHERE id = $2 AND lease_owner = $3 AND attempts = $4 AND state = 'processing'";

pub(crate) const MARK_DEAD: &str = "UPDATE hookproof_inbox \
     SET state = 'dead', processed_at = $1, last_error = $5, lease_owner = NULL, lease_expires_at = NULL \
     WHERE id = $2 AND lease_owner = $3 AND attempts = $4 AND state = 'processing'";

// A released event did not really get its attempt: give it back.
pub(crate) const RELEASE: &str = "UPDATE hookproof_inbox \
     SET state = 'pending', attempts = attempts - 1, next_attempt_at = $1, lease_owner = NULL, lease_expires_at = NULL \
     WHERE id = $2 AND lease_owner = $3 AND attempts = $4 AND state = 'processing'";

pub(crate) const STATS: &str = "SELECT state, COUNT(*) AS count FROM hookproof_inbox GROUP BY state";

pub(crate) const LIST: &str =
    "SELECT id, event_key, scheme, provider_id, state, attempts, received_at, next_attempt_at, \
     last_error, processed_at FROM hookproof_inbox ORDER BY id DESC LIMIT $1";

pub(crate) const LIST_STATE: &str = "SELECT id, event_key, scheme, provider_id, state, attempts, received_at, \
     next_attempt_at, last_error, processed_at FROM hookproof_inbox WHERE state = $2 ORDER BY id DESC LIMIT $1";

pub(crate) const GET: &str =
    "SELECT id, event_key, scheme, provider_id, state, attempts, received_at, next_attempt_at, \
     last_error, processed_at, event_timestamp, headers, body, lease_owner, lease_expires_at \
     FROM hookproof_inbox WHERE id = $1";

pub(crate) const RETRY: &str = "UPDATE hookproof_inbox \
     SET state = 'pending', attempts = 0, next_attempt_at = $1, last_error = NULL, processed_at = NULL, \
         lease_owner = NULL, lease_expires_at = NULL \
     WHERE id = $2 AND state IN ('dead', 'done')";

pub(crate) const PURGE: &str = "DELETE FROM hookproof_inbox WHERE id IN ( \
         SELECT id FROM hookproof_inbox WHERE state = $1 AND COALESCE(processed_at, received_at) <= $2 LIMIT $3)";

/// Rows deleted per statement by a purge.
pub(crate) const PURGE_CHUNK: i64 = 1000;

pub(crate) const SCHEMA_TABLE: &str = "CREATE TABLE IF NOT EXISTS hookproof_inbox_schema \
     (version BIGINT PRIMARY KEY, applied_at BIGINT NOT NULL)";

pub(crate) const SCHEMA_VERSION: &str = "SELECT COALESCE(MAX(version), 0) AS version FROM hookproof_inbox_schema";

pub(crate) const SCHEMA_RECORD: &str = "INSERT INTO hookproof_inbox_schema (version, applied_at) VALUES ($1, $2)";

/// The schema, one entry per version, applied in order at connect.
pub(crate) const SQLITE_MIGRATIONS: &[(i64, &str)] = &[(1, include_str!("../migrations/sqlite/0001_inbox.sql"))];

/// See [`SQLITE_MIGRATIONS`].
pub(crate) const POSTGRES_MIGRATIONS: &[(i64, &str)] = &[(1, include_str!("../migrations/postgres/0001_inbox.sql"))];

/// Serialises concurrent migrations from many receivers on one database
/// (`pg_advisory_xact_lock` key; arbitrary, "hookproo" in ASCII).
pub(crate) const POSTGRES_MIGRATION_LOCK: i64 = 0x686f_6f6b_7072_6f6f;
