//! The store's schema, as an ordered list of migrations.
//!
//! The schema version is SQLite's `user_version`: migration `n` (1-based)
//! brings the file from version `n - 1` to `n`. Migrations are append-only in
//! this list too: a released migration is never edited, a change is a new one.

use rusqlite::{Connection, TransactionBehavior};
use std::path::Path;

/// Migration 1: the initial schema.
///
/// Records are kept as JSON so that the model can grow without a migration
/// per field; the few columns beside the JSON are there to be filtered,
/// joined or indexed on. Each JSON column holds exactly the bytes that were
/// hashed into `content_hash`, so a stored hash can always be re-checked.
const V1_INITIAL: &str = r#"
CREATE TABLE listings (
    id                 TEXT PRIMARY KEY NOT NULL CHECK (length(id) > 0),
    source             TEXT NOT NULL,
    listing            TEXT NOT NULL CHECK (json_valid(listing)),
    content_hash       TEXT NOT NULL CHECK (length(content_hash) = 64),
    title              TEXT NOT NULL,
    holder_name        TEXT,
    application_number TEXT,
    publication_number TEXT,
    kind               TEXT NOT NULL,
    created_at         TEXT NOT NULL,
    updated_at         TEXT NOT NULL
) STRICT;

-- Looking a patent up by number, and dropping duplicates across sources.
CREATE INDEX listings_application_number ON listings (application_number)
    WHERE application_number IS NOT NULL;
CREATE INDEX listings_source ON listings (source);
CREATE INDEX listings_holder_name ON listings (holder_name)
    WHERE holder_name IS NOT NULL;

CREATE TABLE declarations (
    listing_id  TEXT NOT NULL REFERENCES listings (id),
    version     INTEGER NOT NULL CHECK (version >= 1),
    declaration TEXT NOT NULL CHECK (json_valid(declaration)),
    recorded_at TEXT NOT NULL,
    PRIMARY KEY (listing_id, version)
) STRICT, WITHOUT ROWID;

CREATE TABLE events (
    seq         INTEGER PRIMARY KEY AUTOINCREMENT,
    listing_id  TEXT NOT NULL REFERENCES listings (id),
    type        TEXT NOT NULL CHECK (length(type) > 0),
    on_date     TEXT NOT NULL,
    event       TEXT NOT NULL CHECK (json_valid(event)),
    recorded_at TEXT NOT NULL
) STRICT;

CREATE INDEX events_listing ON events (listing_id, seq);

-- History must hold even against a buggy caller or a hand-typed statement,
-- so the database itself refuses to rewrite it.
CREATE TRIGGER declarations_no_update BEFORE UPDATE ON declarations
BEGIN
    SELECT RAISE(ABORT, 'declarations are append-only: UPDATE refused');
END;
CREATE TRIGGER declarations_no_delete BEFORE DELETE ON declarations
BEGIN
    SELECT RAISE(ABORT, 'declarations are append-only: DELETE refused');
END;
CREATE TRIGGER events_no_update BEFORE UPDATE ON events
BEGIN
    SELECT RAISE(ABORT, 'events are append-only: UPDATE refused');
END;
CREATE TRIGGER events_no_delete BEFORE DELETE ON events
BEGIN
    SELECT RAISE(ABORT, 'events are append-only: DELETE refused');
END;

CREATE TABLE profiles (
    id            TEXT PRIMARY KEY NOT NULL CHECK (length(id) > 0),
    source        TEXT NOT NULL,
    enterprise_id TEXT NOT NULL,
    profile       TEXT NOT NULL CHECK (json_valid(profile)),
    content_hash  TEXT NOT NULL CHECK (length(content_hash) = 64),
    created_at    TEXT NOT NULL,
    updated_at    TEXT NOT NULL
) STRICT;

CREATE INDEX profiles_enterprise ON profiles (enterprise_id);
"#;

/// Migration 2: precision push. A run row per profile and day makes a day's
/// push idempotent even when it sent nothing; items are never rewritten, so
/// "never twice" can always be checked against what was really sent.
const V2_PUSH: &str = r#"
CREATE TABLE push_runs (
    profile_id  TEXT NOT NULL REFERENCES profiles (id),
    push_date   TEXT NOT NULL,
    items       INTEGER NOT NULL CHECK (items >= 0),
    recorded_at TEXT NOT NULL,
    PRIMARY KEY (profile_id, push_date)
) STRICT, WITHOUT ROWID;

CREATE TABLE push_items (
    profile_id  TEXT NOT NULL,
    listing_id  TEXT NOT NULL REFERENCES listings (id),
    push_date   TEXT NOT NULL,
    score       REAL NOT NULL,
    item        TEXT NOT NULL CHECK (json_valid(item)),
    PRIMARY KEY (profile_id, listing_id, push_date),
    FOREIGN KEY (profile_id, push_date) REFERENCES push_runs (profile_id, push_date)
) STRICT, WITHOUT ROWID;

CREATE TABLE push_feedback (
    profile_id  TEXT NOT NULL,
    listing_id  TEXT NOT NULL,
    push_date   TEXT NOT NULL,
    relevant    INTEGER NOT NULL CHECK (relevant IN (0, 1)),
    reason      TEXT,
    recorded_at TEXT NOT NULL,
    PRIMARY KEY (profile_id, listing_id, push_date),
    FOREIGN KEY (profile_id, listing_id, push_date)
        REFERENCES push_items (profile_id, listing_id, push_date)
) STRICT, WITHOUT ROWID;

CREATE TRIGGER push_items_append_only BEFORE UPDATE ON push_items
BEGIN SELECT RAISE(ABORT, 'push items are never rewritten'); END;
CREATE TRIGGER push_items_never_deleted BEFORE DELETE ON push_items
BEGIN SELECT RAISE(ABORT, 'push items are never deleted'); END;
"#;

/// Migration 3: batch push. Each profile's baseline is a cache derived from
/// a search, so it is replaced freely (unlike push items); it goes with its
/// profile. Terms changes are looked up by day for a whole run at once.
const V3_BASELINES: &str = r#"
CREATE TABLE profile_baselines (
    profile_id  TEXT PRIMARY KEY NOT NULL REFERENCES profiles (id) ON DELETE CASCADE,
    fingerprint TEXT NOT NULL,
    computed_on TEXT NOT NULL,
    vector      BLOB NOT NULL,
    terms       TEXT NOT NULL CHECK (json_valid(terms)),
    lexical     BLOB NOT NULL,
    semantic    BLOB NOT NULL,
    recorded_at TEXT NOT NULL
) STRICT;
CREATE INDEX events_type_date ON events (type, on_date);
"#;

/// Migration 4: what the HTTP API needs.
///
/// API keys keep only a hash of their secret; a revoked key stays, so what
/// it did remains attributable. A key that acts for someone (a broker, an
/// enterprise) names them, an admin key names no one: the database refuses
/// any other row too.
///
/// Shortlists are a broker's working state, edited and deleted freely; their
/// items go with them.
///
/// Profiles are deleted softly: push runs and items name them and are
/// append-only, so the row stays and `deleted_at` hides it from every read
/// but the push audit.
const V4_API: &str = r#"
CREATE TABLE api_keys (
    id            TEXT PRIMARY KEY NOT NULL CHECK (length(id) > 0),
    secret_sha256 TEXT NOT NULL CHECK (length(secret_sha256) = 64),
    role          TEXT NOT NULL CHECK (role IN ('admin', 'broker', 'enterprise')),
    subject       TEXT,
    label         TEXT,
    created_at    TEXT NOT NULL,
    revoked_at    TEXT,
    CHECK (CASE role WHEN 'admin' THEN subject IS NULL
                     ELSE coalesce(length(subject), 0) > 0 END)
) STRICT;

CREATE TABLE shortlists (
    id         TEXT PRIMARY KEY NOT NULL CHECK (length(id) > 0),
    broker_id  TEXT NOT NULL CHECK (length(broker_id) > 0),
    client     TEXT NOT NULL,
    title      TEXT,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
) STRICT;
CREATE INDEX shortlists_broker ON shortlists (broker_id, created_at);

CREATE TABLE shortlist_items (
    shortlist_id TEXT NOT NULL REFERENCES shortlists (id) ON DELETE CASCADE,
    listing_id   TEXT NOT NULL REFERENCES listings (id),
    verdict      TEXT NOT NULL CHECK (verdict IN ('kept', 'rejected')),
    note         TEXT,
    added_at     TEXT NOT NULL,
    updated_at   TEXT NOT NULL,
    PRIMARY KEY (shortlist_id, listing_id)
) STRICT, WITHOUT ROWID;

ALTER TABLE profiles ADD COLUMN deleted_at TEXT;
"#;

/// Every migration, in the order they are applied.
const MIGRATIONS: &[&str] = &[V1_INITIAL, V2_PUSH, V3_BASELINES, V4_API];

/// The schema version this program writes and understands.
pub(crate) const SCHEMA_VERSION: u32 = MIGRATIONS.len() as u32;

/// The file's schema version.
pub(crate) fn user_version(conn: &Connection) -> crate::Result<u32> {
    let version: i64 = conn.pragma_query_value(None, "user_version", |row| row.get(0))?;
    // user_version is a signed 32-bit header field; a negative one was not
    // written by us.
    u32::try_from(version)
        .map_err(|_| crate::Error::Store(format!("schema version {version} is not one of ours")))
}

/// Fails, without touching the file, when it was written by a newer program.
pub(crate) fn ensure_not_newer(conn: &Connection, path: &Path) -> crate::Result<()> {
    let found = user_version(conn)?;
    if found > SCHEMA_VERSION {
        return Err(too_new(path, found));
    }
    Ok(())
}

/// Brings the schema up to [`SCHEMA_VERSION`]; does nothing when it already is.
pub(crate) fn migrate(conn: &mut Connection, path: &Path) -> crate::Result<()> {
    if user_version(conn)? == SCHEMA_VERSION {
        return Ok(());
    }
    // IMMEDIATE takes the write lock before reading the version again, so two
    // processes opening a fresh file cannot both apply migration 1.
    let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
    let found = user_version(&tx)?;
    if found > SCHEMA_VERSION {
        return Err(too_new(path, found));
    }
    for (index, sql) in MIGRATIONS.iter().enumerate().skip(found as usize) {
        let version = index + 1;
        tx.execute_batch(sql).map_err(|e| {
            crate::Error::Store(format!(
                "{}: migration to schema version {version} failed: {e}",
                path.display()
            ))
        })?;
        tx.pragma_update(None, "user_version", version as i64)?;
    }
    tx.commit()?;
    tracing::info!(
        path = %path.display(),
        from = found,
        to = SCHEMA_VERSION,
        "store schema migrated"
    );
    Ok(())
}

fn too_new(path: &Path, found: u32) -> crate::Error {
    crate::Error::Store(format!(
        "{}: schema version {found} is newer than this program's {SCHEMA_VERSION}; \
         refusing to open it (upgrade patmatch)",
        path.display()
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A file written by the program of schema version 3, exactly: its
    /// migrations and nothing more, with a profile pushed once.
    fn version_3_file(path: &Path) -> Connection {
        let conn = Connection::open(path).unwrap();
        for sql in &MIGRATIONS[..3] {
            conn.execute_batch(sql).unwrap();
        }
        conn.pragma_update(None, "user_version", 3).unwrap();
        conn.execute_batch(
            "INSERT INTO profiles (id, source, enterprise_id, profile, content_hash, \
             created_at, updated_at) VALUES ('p1', 's', 'e1', '{}', \
             '0000000000000000000000000000000000000000000000000000000000000000', \
             '2026-03-01T00:00:00.000000000Z', '2026-03-01T00:00:00.000000000Z'); \
             INSERT INTO push_runs (profile_id, push_date, items, recorded_at) \
             VALUES ('p1', '2026-03-02', 0, '2026-03-02T00:00:00.000000000Z');",
        )
        .unwrap();
        conn
    }

    #[test]
    fn version_3_migrates_to_4_keeping_its_rows() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("v3.db");
        let mut conn = version_3_file(&path);

        migrate(&mut conn, &path).unwrap();

        assert_eq!(user_version(&conn).unwrap(), 4);
        assert_eq!(SCHEMA_VERSION, 4);
        let live: i64 = conn
            .query_row(
                "SELECT count(*) FROM profiles WHERE deleted_at IS NULL",
                [],
                |r| r.get(0),
            )
            .unwrap();
        assert_eq!(live, 1, "an existing profile is not deleted");
        let runs: i64 = conn
            .query_row("SELECT count(*) FROM push_runs", [], |r| r.get(0))
            .unwrap();
        assert_eq!(runs, 1);
        for table in ["api_keys", "shortlists", "shortlist_items"] {
            let n: i64 = conn
                .query_row(&format!("SELECT count(*) FROM {table}"), [], |r| r.get(0))
                .unwrap();
            assert_eq!(n, 0, "{table}");
        }
        // Migrating again is a no-op.
        migrate(&mut conn, &path).unwrap();
        assert_eq!(user_version(&conn).unwrap(), 4);
    }

    #[test]
    fn the_database_refuses_keys_and_items_that_break_the_rules() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("v4.db");
        let mut conn = Connection::open(&path).unwrap();
        migrate(&mut conn, &path).unwrap();
        conn.pragma_update(None, "foreign_keys", "ON").unwrap();
        let hash = "a".repeat(64);
        let key = |role: &str, subject: Option<&str>| {
            conn.execute(
                "INSERT INTO api_keys (id, secret_sha256, role, subject, created_at) \
                 VALUES (?1, ?2, ?3, ?4, 'now')",
                rusqlite::params![format!("{role}-{subject:?}"), hash, role, subject],
            )
        };
        assert!(key("admin", None).is_ok());
        assert!(key("enterprise", Some("e1")).is_ok());
        assert!(key("admin", Some("e1")).is_err());
        assert!(key("broker", None).is_err());
        assert!(key("broker", Some("")).is_err());
        assert!(key("root", None).is_err());

        conn.execute_batch(
            "INSERT INTO shortlists (id, broker_id, client, created_at, updated_at) \
             VALUES ('s1', 'b1', 'c', 'now', 'now');",
        )
        .unwrap();
        // No such listing: the foreign key refuses the item.
        let item = conn.execute(
            "INSERT INTO shortlist_items \
             (shortlist_id, listing_id, verdict, added_at, updated_at) \
             VALUES ('s1', 'nope', 'kept', 'now', 'now')",
            [],
        );
        assert!(item.is_err());
    }
}
