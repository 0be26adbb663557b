use super::{codec, schema};
use crate::{
    ApiKey, Batch, BatchCounts, Declaration, DeclarationVersion, DemandProfile, Error, KeyRole,
    Lifecycle, LifecycleEvent, Listing, ProfileBaseline, PushFeedback, PushHistory, PushItem,
    PushedTerms, Shortlist, ShortlistItem, Store, StoreCounts, UpsertCounts, Verdict,
};
use chrono::{DateTime, NaiveDate, Utc};
use rusqlite::{params, Connection, OptionalExtension, TransactionBehavior};
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::time::Duration;

/// How to open the SQLite store.
#[derive(Debug, Clone)]
pub struct StoreConfig {
    /// The database file, conventionally `<data_dir>/patmatch.db`.
    pub path: PathBuf,
    /// How long a writer waits for another writer's lock before failing.
    pub busy_timeout: Duration,
}

impl StoreConfig {
    pub fn new(path: impl Into<PathBuf>) -> Self {
        Self {
            path: path.into(),
            busy_timeout: Duration::from_secs(5),
        }
    }
}

/// The embedded store: one SQLite file in WAL mode, schema created and
/// migrated on open.
///
/// The store guards *integrity*: ids are present, history (declaration
/// versions and lifecycle events) is append-only, events belong to a known
/// listing, a batch is all-or-nothing. [`Store::append_event`] also applies
/// the 办法's rules through [`Lifecycle::record`], inside its transaction, so
/// no history that breaks them can be written.
#[derive(Debug)]
pub struct SqliteStore {
    conn: Connection,
}

/// Enough for every statement below to stay prepared across a batch.
const STATEMENT_CACHE_CAPACITY: usize = 32;

impl SqliteStore {
    /// The schema version this program writes; a file with a higher one is
    /// refused by [`SqliteStore::open`].
    pub const SCHEMA_VERSION: u32 = schema::SCHEMA_VERSION;

    /// Opens the store at `config.path`, creating the file and its directory
    /// if missing and migrating the schema to [`Self::SCHEMA_VERSION`].
    ///
    /// When SQLite fails for want of a writable file (a read-only file
    /// system, a full disk) the error is the OS's, naming the file, rather
    /// than SQLite's bare "disk I/O error" or "unable to open database file".
    pub fn open(config: &StoreConfig) -> crate::Result<Self> {
        Self::open_as_is(config).map_err(|err| match &err {
            Error::Sqlite(e)
                if matches!(
                    e.sqlite_error_code(),
                    Some(
                        rusqlite::ErrorCode::SystemIoFailure
                            | rusqlite::ErrorCode::DiskFull
                            | rusqlite::ErrorCode::CannotOpen
                            | rusqlite::ErrorCode::ReadOnly
                    )
                ) =>
            {
                unwritable(&config.path, &err).unwrap_or(err)
            }
            _ => err,
        })
    }

    fn open_as_is(config: &StoreConfig) -> crate::Result<Self> {
        let path = &config.path;
        if let Some(dir) = path.parent().filter(|dir| !dir.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir).map_err(|source| Error::Io {
                path: dir.to_path_buf(),
                source,
            })?;
        }
        let mut conn = Connection::open(path).map_err(|e| {
            let err = Error::Store(format!("{}: cannot open: {e}", path.display()));
            unwritable(path, &err).unwrap_or(err)
        })?;
        conn.busy_timeout(config.busy_timeout)?;
        conn.set_prepared_statement_cache_capacity(STATEMENT_CACHE_CAPACITY);

        // Checked before any pragma that writes to the file, so that a newer
        // program's database is left exactly as it was.
        schema::ensure_not_newer(&conn, path)?;

        // WAL lets readers (search, the API) run while an import writes.
        let mode: String =
            conn.pragma_update_and_check(None, "journal_mode", "WAL", |row| row.get(0))?;
        if !mode.eq_ignore_ascii_case("wal") {
            return Err(Error::Store(format!(
                "{}: cannot switch to WAL journal mode (got {mode:?}); \
                 is the file on a filesystem without shared memory?",
                path.display()
            )));
        }
        // NORMAL is durable enough in WAL mode: a power cut may lose the last
        // commits, never corrupt the file.
        conn.pragma_update(None, "synchronous", "NORMAL")?;
        conn.pragma_update(None, "foreign_keys", "ON")?;

        schema::migrate(&mut conn, path)?;
        Ok(Self { conn })
    }

    /// Every live profile's history, or only that of `only`; a deleted
    /// profile has none.
    fn read_histories(&self, only: Option<&str>) -> crate::Result<HashMap<String, PushHistory>> {
        let mut histories: HashMap<String, PushHistory> = HashMap::new();
        let mut stmt = self.conn.prepare_cached(
            "SELECT profile_id, push_date FROM push_runs \
             WHERE (?1 IS NULL OR profile_id = ?1) AND profile_id NOT IN \
             (SELECT id FROM profiles WHERE deleted_at IS NOT NULL) \
             ORDER BY profile_id, push_date",
        )?;
        let rows = stmt.query_map([only], |row| {
            Ok((row.get::<_, String>(0)?, row.get::<_, String>(1)?))
        })?;
        for row in rows {
            let (profile, day) = row?;
            let date = stored_date(&day)?;
            histories.entry(profile).or_default().dates.push(date);
        }
        // Only the terms are needed: reading them out of the JSON in SQL
        // skips decoding every stored explanation.
        let mut stmt = self.conn.prepare_cached(
            "SELECT profile_id, listing_id, json_extract(item, '$.terms') FROM push_items \
             WHERE (?1 IS NULL OR profile_id = ?1) AND profile_id NOT IN \
             (SELECT id FROM profiles WHERE deleted_at IS NOT NULL) \
             ORDER BY profile_id, push_date",
        )?;
        let rows = stmt.query_map([only], |row| {
            Ok((
                row.get::<_, String>(0)?,
                row.get::<_, String>(1)?,
                row.get::<_, String>(2)?,
            ))
        })?;
        for row in rows {
            let (profile, listing, terms) = row?;
            let terms: PushedTerms = codec::decode("push item terms", &listing, &terms)?;
            let sent = &mut histories.entry(profile).or_default().sent;
            // Later rows are later days: the last terms sent win.
            match sent.iter_mut().find(|(id, _)| *id == listing) {
                Some(entry) => entry.1 = terms,
                None => sent.push((listing, terms)),
            }
        }
        let mut stmt = self.conn.prepare_cached(
            "SELECT profile_id, listing_id, push_date, relevant, reason FROM push_feedback \
             WHERE (?1 IS NULL OR profile_id = ?1) AND profile_id NOT IN \
             (SELECT id FROM profiles WHERE deleted_at IS NOT NULL) \
             ORDER BY profile_id, push_date, listing_id",
        )?;
        let rows = stmt.query_map([only], |row| {
            Ok((
                row.get::<_, String>(0)?,
                row.get::<_, String>(1)?,
                row.get::<_, String>(2)?,
                row.get::<_, bool>(3)?,
                row.get::<_, Option<String>>(4)?,
            ))
        })?;
        for row in rows {
            let (profile_id, listing_id, day, relevant, reason) = row?;
            let verdict = PushFeedback {
                profile_id: profile_id.clone(),
                listing_id,
                date: stored_date(&day)?,
                relevant,
                reason,
            };
            histories
                .entry(profile_id)
                .or_default()
                .feedback
                .push(verdict);
        }
        Ok(histories)
    }

    /// All baselines, or the one of `only`.
    fn read_baselines(&self, only: Option<&str>) -> crate::Result<Vec<ProfileBaseline>> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT profile_id, fingerprint, computed_on, vector, terms, lexical, semantic \
             FROM profile_baselines WHERE ?1 IS NULL OR profile_id = ?1 ORDER BY profile_id",
        )?;
        let rows = stmt.query_map([only], |row| {
            Ok((
                row.get::<_, String>(0)?,
                row.get::<_, String>(1)?,
                row.get::<_, String>(2)?,
                row.get::<_, Vec<u8>>(3)?,
                row.get::<_, String>(4)?,
                row.get::<_, Vec<u8>>(5)?,
                row.get::<_, Vec<u8>>(6)?,
            ))
        })?;
        let mut out = Vec::new();
        for row in rows {
            let (profile_id, fingerprint, day, vector, terms, lexical, semantic) = row?;
            let floats = |what: &str, blob: &[u8]| codec::blob_floats(what, &profile_id, blob);
            out.push(ProfileBaseline {
                computed_on: stored_date(&day)?,
                vector: floats("baseline vector", &vector)?,
                terms: codec::decode("baseline terms", &profile_id, &terms)?,
                lexical: floats("baseline lexical scores", &lexical)?,
                semantic: floats("baseline semantic scores", &semantic)?,
                fingerprint,
                profile_id,
            });
        }
        Ok(out)
    }

    fn require_listing(conn: &Connection, id: &str) -> crate::Result<()> {
        let found = conn
            .prepare_cached("SELECT 1 FROM listings WHERE id = ?1")?
            .exists([id])?;
        if found {
            Ok(())
        } else {
            Err(not_found_listing(id))
        }
    }

    /// Fails with `NotFound` unless the profile exists and is not deleted.
    fn require_live_profile(conn: &Connection, id: &str) -> crate::Result<()> {
        let found = conn
            .prepare_cached("SELECT 1 FROM profiles WHERE id = ?1 AND deleted_at IS NULL")?
            .exists([id])?;
        if found {
            Ok(())
        } else {
            Err(Error::NotFound {
                what: "profile",
                id: id.to_owned(),
            })
        }
    }

    /// Fails with `NotFound` unless the shortlist exists.
    fn require_shortlist(conn: &Connection, id: &str) -> crate::Result<()> {
        let found = conn
            .prepare_cached("SELECT 1 FROM shortlists WHERE id = ?1")?
            .exists([id])?;
        if found {
            Ok(())
        } else {
            Err(not_found_shortlist(id))
        }
    }
}

impl Store for SqliteStore {
    fn write_batch(&mut self, batch: &Batch) -> crate::Result<BatchCounts> {
        let now = codec::timestamp(Utc::now());
        // IMMEDIATE: the batch reads then writes, and a deferred transaction
        // that must upgrade its lock can fail at once instead of waiting.
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        let mut counts = BatchCounts::default();
        for listing in &batch.listings {
            let outcome = upsert_listing(&tx, listing, &now)
                .map_err(|e| in_record("listing", &listing.id, e))?;
            outcome.count(&mut counts.listings);
        }
        for profile in &batch.profiles {
            let outcome = upsert_profile(&tx, profile, &now)
                .map_err(|e| in_record("profile", &profile.id, e))?;
            outcome.count(&mut counts.profiles);
        }
        tx.commit()?;
        Ok(counts)
    }

    fn listing(&self, id: &str) -> crate::Result<Option<Listing>> {
        let content: Option<String> = self
            .conn
            .prepare_cached("SELECT listing FROM listings WHERE id = ?1")?
            .query_row([id], |row| row.get(0))
            .optional()?;
        content
            .map(|content| codec::decode("listing", id, &content))
            .transpose()
    }

    fn profile(&self, id: &str) -> crate::Result<Option<DemandProfile>> {
        let row: Option<(String, String, String)> = self
            .conn
            .prepare_cached(
                "SELECT profile, created_at, updated_at FROM profiles \
                 WHERE id = ?1 AND deleted_at IS NULL",
            )?
            .query_row([id], |row| Ok((row.get(0)?, row.get(1)?, row.get(2)?)))
            .optional()?;
        row.map(|(content, created, updated)| {
            codec::profile_from_parts(id, &content, &created, &updated)
        })
        .transpose()
    }

    fn listings(&self) -> crate::Result<Vec<Listing>> {
        let mut stmt = self
            .conn
            .prepare_cached("SELECT id, listing FROM listings ORDER BY id")?;
        let rows = stmt.query_map([], |row| {
            Ok((row.get::<_, String>(0)?, row.get::<_, String>(1)?))
        })?;
        let mut listings = Vec::new();
        for row in rows {
            let (id, content) = row?;
            listings.push(codec::decode("listing", &id, &content)?);
        }
        Ok(listings)
    }

    fn profiles(&self) -> crate::Result<Vec<DemandProfile>> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT id, profile, created_at, updated_at FROM profiles \
             WHERE deleted_at IS NULL ORDER BY id",
        )?;
        let rows = stmt.query_map([], |row| {
            Ok((
                row.get::<_, String>(0)?,
                row.get::<_, String>(1)?,
                row.get::<_, String>(2)?,
                row.get::<_, String>(3)?,
            ))
        })?;
        let mut profiles = Vec::new();
        for row in rows {
            let (id, content, created, updated) = row?;
            profiles.push(codec::profile_from_parts(
                &id, &content, &created, &updated,
            )?);
        }
        Ok(profiles)
    }

    fn lifecycle(&self, listing_id: &str) -> crate::Result<Lifecycle> {
        // One read transaction, so the declaration and the events come from
        // the same snapshot even while another connection writes.
        let tx = self.conn.unchecked_transaction()?;
        Ok(load_lifecycle(&tx, listing_id)?.0)
    }

    /// Checks the event against the listing's history with
    /// [`Lifecycle::record`] and writes it, in one write transaction, so two
    /// writers cannot both pass the check on the same old history. A
    /// `TermsChanged` event also becomes the listing's current declaration
    /// and its next declaration version.
    fn append_event(&mut self, listing_id: &str, event: &LifecycleEvent) -> crate::Result<()> {
        let now = codec::timestamp(Utc::now());
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        let (mut lifecycle, first) = load_lifecycle(&tx, listing_id)?;
        lifecycle.record(event.clone(), &first.unwrap_or_default())?;
        insert_event(&tx, listing_id, event, &now)?;
        if let LifecycleEvent::TermsChanged { declaration, .. } = event {
            let content: String = tx
                .prepare_cached("SELECT listing FROM listings WHERE id = ?1")?
                .query_row([listing_id], |row| row.get(0))?;
            let mut listing: Listing = codec::decode("listing", listing_id, &content)?;
            listing.declaration = declaration.clone();
            let content = codec::listing_content(&listing)?;
            let hash = codec::content_hash(&content);
            write_listing(&tx, &listing, &content, &hash, &now)?;
            let next = latest_declaration(&tx, listing_id)?.map_or(1, |(version, _)| version + 1);
            insert_declaration(&tx, listing_id, next, declaration, &now)?;
        }
        tx.commit()?;
        Ok(())
    }

    /// Fails with `NotFound` for an unknown listing; a known one always has
    /// at least its first version.
    fn declaration_history(&self, listing_id: &str) -> crate::Result<Vec<DeclarationVersion>> {
        let tx = self.conn.unchecked_transaction()?;
        Self::require_listing(&tx, listing_id)?;
        let mut stmt = tx.prepare_cached(
            "SELECT version, declaration, recorded_at FROM declarations \
             WHERE listing_id = ?1 ORDER BY version",
        )?;
        let rows = stmt.query_map([listing_id], |row| {
            Ok((
                row.get::<_, u32>(0)?,
                row.get::<_, String>(1)?,
                row.get::<_, String>(2)?,
            ))
        })?;
        let mut history = Vec::new();
        for row in rows {
            let (version, content, recorded_at) = row?;
            history.push(DeclarationVersion {
                version,
                declaration: codec::decode("declaration of listing", listing_id, &content)?,
                recorded_at: codec::parse_timestamp(&recorded_at)?,
            });
        }
        Ok(history)
    }

    fn counts(&self) -> crate::Result<StoreCounts> {
        let (listings, profiles, events): (i64, i64, i64) = self.conn.query_row(
            "SELECT (SELECT count(*) FROM listings), \
                    (SELECT count(*) FROM profiles WHERE deleted_at IS NULL), \
                    (SELECT count(*) FROM events)",
            [],
            |row| Ok((row.get(0)?, row.get(1)?, row.get(2)?)),
        )?;
        // count(*) is never negative.
        let size = |n: i64| usize::try_from(n).unwrap_or_default();
        Ok(StoreCounts {
            listings: size(listings),
            profiles: size(profiles),
            events: size(events),
        })
    }

    fn record_push(
        &mut self,
        profile_id: &str,
        date: NaiveDate,
        items: &[PushItem],
    ) -> crate::Result<bool> {
        Ok(self.record_pushes(date, &[(profile_id, items)])?[0])
    }

    fn record_pushes(
        &mut self,
        date: NaiveDate,
        pushes: &[(&str, &[PushItem])],
    ) -> crate::Result<Vec<bool>> {
        let now = codec::timestamp(Utc::now());
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        let mut recorded = Vec::with_capacity(pushes.len());
        for (profile_id, items) in pushes {
            recorded.push(insert_push(&tx, profile_id, date, items, &now)?);
        }
        tx.commit()?;
        Ok(recorded)
    }

    fn push_histories(&self) -> crate::Result<HashMap<String, PushHistory>> {
        self.read_histories(None)
    }

    fn push_history(&self, profile_id: &str) -> crate::Result<PushHistory> {
        Ok(self
            .read_histories(Some(profile_id))?
            .remove(profile_id)
            .unwrap_or_default())
    }

    fn save_baselines(&mut self, baselines: &[ProfileBaseline]) -> crate::Result<()> {
        let now = codec::timestamp(Utc::now());
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        for baseline in baselines {
            Self::require_live_profile(&tx, &baseline.profile_id)?;
            tx.prepare_cached(
                "INSERT OR REPLACE INTO profile_baselines \
                 (profile_id, fingerprint, computed_on, vector, terms, lexical, semantic, recorded_at) \
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
            )?
            .execute(params![
                baseline.profile_id,
                baseline.fingerprint,
                baseline.computed_on.to_string(),
                codec::floats_blob(&baseline.vector),
                serde_json::to_string(&baseline.terms)?,
                codec::floats_blob(&baseline.lexical),
                codec::floats_blob(&baseline.semantic),
                now
            ])?;
        }
        tx.commit()?;
        Ok(())
    }

    fn baselines(&self) -> crate::Result<Vec<ProfileBaseline>> {
        self.read_baselines(None)
    }

    fn baseline(&self, profile_id: &str) -> crate::Result<Option<ProfileBaseline>> {
        Ok(self.read_baselines(Some(profile_id))?.pop())
    }

    fn terms_changed_between(
        &self,
        after: NaiveDate,
        until: NaiveDate,
    ) -> crate::Result<Vec<String>> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT DISTINCT listing_id FROM events \
             WHERE type = 'terms_changed' AND on_date > ?1 AND on_date <= ?2 ORDER BY listing_id",
        )?;
        let rows = stmt.query_map(params![after.to_string(), until.to_string()], |row| {
            row.get::<_, String>(0)
        })?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    fn push_dates(&self, profile_id: &str) -> crate::Result<Vec<NaiveDate>> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT push_date FROM push_runs WHERE profile_id = ?1 ORDER BY push_date",
        )?;
        let rows = stmt.query_map([profile_id], |row| row.get::<_, String>(0))?;
        let mut dates = Vec::new();
        for row in rows {
            dates.push(stored_date(&row?)?);
        }
        Ok(dates)
    }

    fn pushed_items(&self, profile_id: &str) -> crate::Result<Vec<PushItem>> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT listing_id, item FROM push_items WHERE profile_id = ?1 \
             ORDER BY push_date, score DESC, listing_id",
        )?;
        let rows = stmt.query_map([profile_id], |row| {
            Ok((row.get::<_, String>(0)?, row.get::<_, String>(1)?))
        })?;
        let mut items = Vec::new();
        for row in rows {
            let (listing, content) = row?;
            items.push(codec::decode("push item", &listing, &content)?);
        }
        Ok(items)
    }

    fn record_feedback(&mut self, feedback: &PushFeedback) -> crate::Result<()> {
        let day = feedback.date.to_string();
        let pushed = self
            .conn
            .prepare_cached(
                "SELECT 1 FROM push_items WHERE profile_id = ?1 AND listing_id = ?2 AND push_date = ?3",
            )?
            .exists(params![feedback.profile_id, feedback.listing_id, day])?;
        if !pushed {
            return Err(Error::NotFound {
                what: "push item",
                id: format!("{}/{}/{day}", feedback.profile_id, feedback.listing_id),
            });
        }
        self.conn
            .prepare_cached(
                "INSERT OR REPLACE INTO push_feedback \
                 (profile_id, listing_id, push_date, relevant, reason, recorded_at) \
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
            )?
            .execute(params![
                feedback.profile_id,
                feedback.listing_id,
                day,
                feedback.relevant,
                feedback.reason,
                codec::timestamp(Utc::now())
            ])?;
        Ok(())
    }

    fn feedback(&self, profile_id: &str) -> crate::Result<Vec<PushFeedback>> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT listing_id, push_date, relevant, reason FROM push_feedback \
             WHERE profile_id = ?1 ORDER BY push_date, listing_id",
        )?;
        let rows = stmt.query_map([profile_id], |row| {
            Ok((
                row.get::<_, String>(0)?,
                row.get::<_, String>(1)?,
                row.get::<_, bool>(2)?,
                row.get::<_, Option<String>>(3)?,
            ))
        })?;
        let mut out = Vec::new();
        for row in rows {
            let (listing_id, day, relevant, reason) = row?;
            out.push(PushFeedback {
                profile_id: profile_id.to_owned(),
                listing_id,
                date: stored_date(&day)?,
                relevant,
                reason,
            });
        }
        Ok(out)
    }

    fn delete_profile(&mut self, id: &str) -> crate::Result<bool> {
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        let deleted = tx
            .prepare_cached(
                "UPDATE profiles SET deleted_at = ?2 WHERE id = ?1 AND deleted_at IS NULL",
            )?
            .execute(params![id, codec::timestamp(Utc::now())])?
            > 0;
        if deleted {
            // A baseline is a cache for pushing, and nothing is pushed to a
            // deleted profile; a revived one computes a fresh baseline.
            tx.prepare_cached("DELETE FROM profile_baselines WHERE profile_id = ?1")?
                .execute([id])?;
        }
        tx.commit()?;
        Ok(deleted)
    }

    fn save_api_key(&mut self, key: &ApiKey) -> crate::Result<()> {
        key.validate()?;
        // DO NOTHING, then a count, rather than a read first: the check and
        // the insert are one statement, so two writers cannot both pass it.
        let inserted = self
            .conn
            .prepare_cached(
                "INSERT INTO api_keys \
                 (id, secret_sha256, role, subject, label, created_at, revoked_at) \
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7) ON CONFLICT (id) DO NOTHING",
            )?
            .execute(params![
                key.id,
                key.secret_sha256,
                key.role.as_str(),
                key.subject,
                key.label,
                codec::timestamp(key.created_at),
                key.revoked_at.map(codec::timestamp),
            ])?;
        if inserted == 0 {
            return Err(Error::invalid(
                "id",
                format!("an API key with id {:?} exists", key.id),
            ));
        }
        Ok(())
    }

    fn api_key(&self, id: &str) -> crate::Result<Option<ApiKey>> {
        let row = self
            .conn
            .prepare_cached(
                "SELECT id, secret_sha256, role, subject, label, created_at, revoked_at \
                 FROM api_keys WHERE id = ?1",
            )?
            .query_row([id], api_key_row)
            .optional()?;
        row.map(ApiKeyRow::decode).transpose()
    }

    fn api_keys(&self) -> crate::Result<Vec<ApiKey>> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT id, secret_sha256, role, subject, label, created_at, revoked_at \
             FROM api_keys ORDER BY created_at, id",
        )?;
        let rows = stmt.query_map([], api_key_row)?;
        let mut keys = Vec::new();
        for row in rows {
            keys.push(row?.decode()?);
        }
        Ok(keys)
    }

    fn revoke_api_key(&mut self, id: &str, at: DateTime<Utc>) -> crate::Result<bool> {
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        let revoked = tx
            .prepare_cached(
                "UPDATE api_keys SET revoked_at = ?2 WHERE id = ?1 AND revoked_at IS NULL",
            )?
            .execute(params![id, codec::timestamp(at)])?
            > 0;
        if !revoked {
            let known = tx
                .prepare_cached("SELECT 1 FROM api_keys WHERE id = ?1")?
                .exists([id])?;
            if !known {
                return Err(Error::NotFound {
                    what: "api key",
                    id: id.to_owned(),
                });
            }
        }
        tx.commit()?;
        Ok(revoked)
    }

    fn create_shortlist(&mut self, shortlist: &Shortlist) -> crate::Result<()> {
        shortlist.validate()?;
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        let inserted = tx
            .prepare_cached(
                "INSERT INTO shortlists (id, broker_id, client, title, created_at, updated_at) \
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6) ON CONFLICT (id) DO NOTHING",
            )?
            .execute(params![
                shortlist.id,
                shortlist.broker_id,
                shortlist.client,
                shortlist.title,
                codec::timestamp(shortlist.created_at),
                codec::timestamp(shortlist.updated_at),
            ])?;
        if inserted == 0 {
            return Err(Error::invalid(
                "id",
                format!("a shortlist with id {:?} exists", shortlist.id),
            ));
        }
        for item in &shortlist.items {
            // Checked here rather than left to the foreign key, so that the
            // caller learns which listing is unknown.
            Self::require_listing(&tx, &item.listing_id)?;
            insert_shortlist_item(&tx, &shortlist.id, item)?;
        }
        tx.commit()?;
        Ok(())
    }

    fn shortlist(&self, id: &str) -> crate::Result<Option<Shortlist>> {
        let tx = self.conn.unchecked_transaction()?;
        Ok(read_shortlists(&tx, ShortlistFilter::Id(id))?.pop())
    }

    fn shortlists(&self, broker_id: Option<&str>) -> crate::Result<Vec<Shortlist>> {
        // One read transaction: the lists and their items from one snapshot.
        let tx = self.conn.unchecked_transaction()?;
        let filter = broker_id.map_or(ShortlistFilter::All, ShortlistFilter::Broker);
        read_shortlists(&tx, filter)
    }

    fn update_shortlist(
        &mut self,
        id: &str,
        client: &str,
        title: Option<&str>,
        at: DateTime<Utc>,
    ) -> crate::Result<()> {
        crate::shortlist::validate_client(id, client)?;
        let updated = self
            .conn
            .prepare_cached(
                "UPDATE shortlists SET client = ?2, title = ?3, updated_at = ?4 WHERE id = ?1",
            )?
            .execute(params![id, client, title, codec::timestamp(at)])?;
        if updated == 0 {
            return Err(not_found_shortlist(id));
        }
        Ok(())
    }

    fn delete_shortlist(&mut self, id: &str) -> crate::Result<bool> {
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        // The schema cascades too, but only on a connection with foreign
        // keys on; deleting the items here does not depend on it.
        tx.prepare_cached("DELETE FROM shortlist_items WHERE shortlist_id = ?1")?
            .execute([id])?;
        let deleted = tx
            .prepare_cached("DELETE FROM shortlists WHERE id = ?1")?
            .execute([id])?
            > 0;
        tx.commit()?;
        Ok(deleted)
    }

    fn put_shortlist_item(
        &mut self,
        shortlist_id: &str,
        listing_id: &str,
        verdict: Verdict,
        note: Option<&str>,
        at: DateTime<Utc>,
    ) -> crate::Result<bool> {
        let at = codec::timestamp(at);
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        Self::require_shortlist(&tx, shortlist_id)?;
        Self::require_listing(&tx, listing_id)?;
        let updated =
            tx.prepare_cached(
                "UPDATE shortlist_items SET verdict = ?3, note = ?4, updated_at = ?5 \
                 WHERE shortlist_id = ?1 AND listing_id = ?2",
            )?
            .execute(params![
                shortlist_id,
                listing_id,
                verdict.as_str(),
                note,
                at
            ])? > 0;
        if !updated {
            tx.prepare_cached(
                "INSERT INTO shortlist_items \
                 (shortlist_id, listing_id, verdict, note, added_at, updated_at) \
                 VALUES (?1, ?2, ?3, ?4, ?5, ?5)",
            )?
            .execute(params![
                shortlist_id,
                listing_id,
                verdict.as_str(),
                note,
                at
            ])?;
        }
        touch_shortlist(&tx, shortlist_id, &at)?;
        tx.commit()?;
        Ok(!updated)
    }

    fn remove_shortlist_item(
        &mut self,
        shortlist_id: &str,
        listing_id: &str,
        at: DateTime<Utc>,
    ) -> crate::Result<bool> {
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        Self::require_shortlist(&tx, shortlist_id)?;
        let removed = tx
            .prepare_cached(
                "DELETE FROM shortlist_items WHERE shortlist_id = ?1 AND listing_id = ?2",
            )?
            .execute([shortlist_id, listing_id])?
            > 0;
        if removed {
            touch_shortlist(&tx, shortlist_id, &codec::timestamp(at))?;
        }
        tx.commit()?;
        Ok(removed)
    }
}

/// An `api_keys` row as read, before its role and timestamps are decoded
/// (which can fail with the crate's error, not rusqlite's).
struct ApiKeyRow {
    id: String,
    secret_sha256: String,
    role: String,
    subject: Option<String>,
    label: Option<String>,
    created_at: String,
    revoked_at: Option<String>,
}

fn api_key_row(row: &rusqlite::Row<'_>) -> rusqlite::Result<ApiKeyRow> {
    Ok(ApiKeyRow {
        id: row.get(0)?,
        secret_sha256: row.get(1)?,
        role: row.get(2)?,
        subject: row.get(3)?,
        label: row.get(4)?,
        created_at: row.get(5)?,
        revoked_at: row.get(6)?,
    })
}

impl ApiKeyRow {
    fn decode(self) -> crate::Result<ApiKey> {
        let role: KeyRole = self
            .role
            .parse()
            .map_err(|e| Error::Store(format!("api key {:?}: stored role: {e}", self.id)))?;
        Ok(ApiKey {
            role,
            created_at: codec::parse_timestamp(&self.created_at)?,
            revoked_at: self
                .revoked_at
                .as_deref()
                .map(codec::parse_timestamp)
                .transpose()?,
            id: self.id,
            secret_sha256: self.secret_sha256,
            subject: self.subject,
            label: self.label,
        })
    }
}

/// Which shortlists [`read_shortlists`] reads.
#[derive(Clone, Copy)]
enum ShortlistFilter<'a> {
    All,
    Broker(&'a str),
    Id(&'a str),
}

impl<'a> ShortlistFilter<'a> {
    /// The condition on the `shortlists` table (aliased `s`), with its one
    /// parameter; a separate statement per kind, so each uses its index.
    fn condition(self) -> (&'static str, Option<&'a str>) {
        match self {
            Self::All => ("?1 IS NULL", None),
            Self::Broker(broker) => ("s.broker_id = ?1", Some(broker)),
            Self::Id(id) => ("s.id = ?1", Some(id)),
        }
    }
}

/// The shortlists `filter` selects, by creation time then id, each with its
/// items by `added_at` then listing id. Call inside a transaction, so the
/// lists and their items are read from one snapshot.
fn read_shortlists(
    conn: &Connection,
    filter: ShortlistFilter<'_>,
) -> crate::Result<Vec<Shortlist>> {
    let (condition, param) = filter.condition();
    let mut items: HashMap<String, Vec<ShortlistItem>> = HashMap::new();
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT i.shortlist_id, i.listing_id, i.verdict, i.note, i.added_at, i.updated_at \
         FROM shortlist_items i JOIN shortlists s ON s.id = i.shortlist_id \
         WHERE {condition} ORDER BY i.shortlist_id, i.added_at, i.listing_id"
    ))?;
    let rows = stmt.query_map([param], |row| {
        Ok((
            row.get::<_, String>(0)?,
            row.get::<_, String>(1)?,
            row.get::<_, String>(2)?,
            row.get::<_, Option<String>>(3)?,
            row.get::<_, String>(4)?,
            row.get::<_, String>(5)?,
        ))
    })?;
    for row in rows {
        let (shortlist_id, listing_id, verdict, note, added_at, updated_at) = row?;
        let verdict: Verdict = verdict.parse().map_err(|e| {
            Error::Store(format!(
                "shortlist {shortlist_id:?}, listing {listing_id:?}: stored verdict: {e}"
            ))
        })?;
        items.entry(shortlist_id).or_default().push(ShortlistItem {
            listing_id,
            verdict,
            note,
            added_at: codec::parse_timestamp(&added_at)?,
            updated_at: codec::parse_timestamp(&updated_at)?,
        });
    }
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT s.id, s.broker_id, s.client, s.title, s.created_at, s.updated_at \
         FROM shortlists s WHERE {condition} ORDER BY s.created_at, s.id"
    ))?;
    let rows = stmt.query_map([param], |row| {
        Ok((
            row.get::<_, String>(0)?,
            row.get::<_, String>(1)?,
            row.get::<_, String>(2)?,
            row.get::<_, Option<String>>(3)?,
            row.get::<_, String>(4)?,
            row.get::<_, String>(5)?,
        ))
    })?;
    let mut shortlists = Vec::new();
    for row in rows {
        let (id, broker_id, client, title, created_at, updated_at) = row?;
        shortlists.push(Shortlist {
            items: items.remove(&id).unwrap_or_default(),
            created_at: codec::parse_timestamp(&created_at)?,
            updated_at: codec::parse_timestamp(&updated_at)?,
            id,
            broker_id,
            client,
            title,
        });
    }
    Ok(shortlists)
}

fn insert_shortlist_item(
    conn: &Connection,
    shortlist_id: &str,
    item: &ShortlistItem,
) -> crate::Result<()> {
    conn.prepare_cached(
        "INSERT INTO shortlist_items \
         (shortlist_id, listing_id, verdict, note, added_at, updated_at) \
         VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
    )?
    .execute(params![
        shortlist_id,
        item.listing_id,
        item.verdict.as_str(),
        item.note,
        codec::timestamp(item.added_at),
        codec::timestamp(item.updated_at),
    ])?;
    Ok(())
}

/// Moves a shortlist's `updated_at`: any change to its items is a change to it.
fn touch_shortlist(conn: &Connection, id: &str, at: &str) -> crate::Result<()> {
    conn.prepare_cached("UPDATE shortlists SET updated_at = ?2 WHERE id = ?1")?
        .execute([id, at])?;
    Ok(())
}

/// Records one profile's push for a day inside `tx`; false when that day
/// was already recorded.
fn insert_push(
    tx: &rusqlite::Transaction<'_>,
    profile_id: &str,
    date: NaiveDate,
    items: &[PushItem],
    now: &str,
) -> crate::Result<bool> {
    let day = date.to_string();
    SqliteStore::require_live_profile(tx, profile_id)?;
    let done = tx
        .prepare_cached("SELECT 1 FROM push_runs WHERE profile_id = ?1 AND push_date = ?2")?
        .exists(params![profile_id, day])?;
    if done {
        return Ok(false);
    }
    tx.prepare_cached(
        "INSERT INTO push_runs (profile_id, push_date, items, recorded_at) VALUES (?1, ?2, ?3, ?4)",
    )?
    .execute(params![profile_id, day, items.len() as i64, now])?;
    for item in items {
        if item.profile_id != profile_id || item.date != date {
            return Err(Error::Store(format!(
                "push item for {}/{} does not belong to the push of {profile_id} on {day}",
                item.profile_id, item.date
            )));
        }
        SqliteStore::require_listing(tx, &item.listing_id)?;
        let content = serde_json::to_string(item)?;
        tx.prepare_cached(
            "INSERT INTO push_items (profile_id, listing_id, push_date, score, item) \
             VALUES (?1, ?2, ?3, ?4, ?5)",
        )?
        .execute(params![
            profile_id,
            item.listing_id,
            day,
            f64::from(item.score),
            content
        ])?;
    }
    Ok(true)
}

/// A day as stored (`YYYY-MM-DD`).
fn stored_date(text: &str) -> crate::Result<NaiveDate> {
    text.parse()
        .map_err(|e| Error::Store(format!("stored date {text:?} does not parse: {e}")))
}

/// What an upsert did to one record.
enum Upsert {
    Inserted,
    Updated,
    Unchanged,
}

impl Upsert {
    fn count(self, counts: &mut UpsertCounts) {
        match self {
            Self::Inserted => counts.inserted += 1,
            Self::Updated => counts.updated += 1,
            Self::Unchanged => counts.unchanged += 1,
        }
    }
}

/// The content hash stored for `id` in `table`, if the record exists.
fn stored_hash(conn: &Connection, table: &str, id: &str) -> crate::Result<Option<String>> {
    Ok(conn
        .prepare_cached(&format!("SELECT content_hash FROM {table} WHERE id = ?1"))?
        .query_row([id], |row| row.get(0))
        .optional()?)
}

fn upsert_listing(conn: &Connection, listing: &Listing, now: &str) -> crate::Result<Upsert> {
    let content = codec::listing_content(listing)?;
    let hash = codec::content_hash(&content);
    let stored = stored_hash(conn, "listings", &listing.id)?;
    match stored {
        None => {
            write_listing(conn, listing, &content, &hash, now)?;
            insert_declaration(conn, &listing.id, 1, &listing.declaration, now)?;
            Ok(Upsert::Inserted)
        }
        Some(stored) if stored == hash => Ok(Upsert::Unchanged),
        Some(_) => {
            write_listing(conn, listing, &content, &hash, now)?;
            // Only a change of terms is history; a corrected title is not.
            let (version, current) = match latest_declaration(conn, &listing.id)? {
                Some((_, current)) if current == listing.declaration => return Ok(Upsert::Updated),
                Some((version, current)) => (version, current),
                None => (0, Declaration::default()),
            };
            // Terms arriving for a listing that had none are its first
            // announcement, and new wording of the same terms is no change of
            // terms; other new terms over announced ones are (办法 三（三）1),
            // checked and recorded like any other.
            if !current.is_undeclared() && !current.same_terms(&listing.declaration) {
                let on = listing
                    .declaration
                    .announced_on
                    .unwrap_or_else(|| Utc::now().date_naive());
                let event = LifecycleEvent::TermsChanged {
                    on,
                    declaration: listing.declaration.clone(),
                };
                let (mut lifecycle, first) = load_lifecycle(conn, &listing.id)?;
                lifecycle.record(event.clone(), &first.unwrap_or_default())?;
                insert_event(conn, &listing.id, &event, now)?;
            }
            insert_declaration(conn, &listing.id, version + 1, &listing.declaration, now)?;
            Ok(Upsert::Updated)
        }
    }
}

/// Inserts a listing, or replaces a stored one's content and the columns
/// derived from it; `created_at` is set only by the insert.
fn write_listing(
    conn: &Connection,
    listing: &Listing,
    content: &str,
    hash: &str,
    now: &str,
) -> crate::Result<()> {
    let patent = &listing.patent;
    conn.prepare_cached(
        "INSERT INTO listings (id, source, listing, content_hash, title, holder_name, \
         application_number, publication_number, kind, created_at, updated_at) \
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?10) \
         ON CONFLICT (id) DO UPDATE SET source = excluded.source, listing = excluded.listing, \
         content_hash = excluded.content_hash, title = excluded.title, \
         holder_name = excluded.holder_name, application_number = excluded.application_number, \
         publication_number = excluded.publication_number, kind = excluded.kind, \
         updated_at = excluded.updated_at",
    )?
    .execute(params![
        listing.id,
        listing.source,
        content,
        hash,
        patent.title,
        listing.holder.as_ref().map(|h| h.name.as_str()),
        patent.application_number.as_ref().map(|n| n.as_str()),
        patent.publication_number.as_ref().map(|n| n.as_str()),
        patent.kind.as_str(),
        now,
    ])?;
    Ok(())
}

/// The listing's newest declaration version, if it has any.
fn latest_declaration(
    conn: &Connection,
    listing_id: &str,
) -> crate::Result<Option<(u32, Declaration)>> {
    let row: Option<(u32, String)> = conn
        .prepare_cached(
            "SELECT version, declaration FROM declarations WHERE listing_id = ?1 \
             ORDER BY version DESC LIMIT 1",
        )?
        .query_row([listing_id], |row| Ok((row.get(0)?, row.get(1)?)))
        .optional()?;
    row.map(|(version, content)| {
        codec::decode("declaration of listing", listing_id, &content).map(|d| (version, d))
    })
    .transpose()
}

fn insert_declaration(
    conn: &Connection,
    listing_id: &str,
    version: u32,
    declaration: &Declaration,
    now: &str,
) -> crate::Result<()> {
    conn.prepare_cached(
        "INSERT INTO declarations (listing_id, version, declaration, recorded_at) \
         VALUES (?1, ?2, ?3, ?4)",
    )?
    .execute(params![
        listing_id,
        version,
        serde_json::to_string(declaration)?,
        now
    ])?;
    Ok(())
}

fn upsert_profile(conn: &Connection, profile: &DemandProfile, now: &str) -> crate::Result<Upsert> {
    let content = codec::profile_content(profile)?;
    let hash = codec::content_hash(&content);
    let stored: Option<(String, bool)> = conn
        .prepare_cached("SELECT content_hash, deleted_at IS NOT NULL FROM profiles WHERE id = ?1")?
        .query_row([&profile.id], |row| Ok((row.get(0)?, row.get(1)?)))
        .optional()?;
    match stored {
        // A new profile keeps the timestamps it comes with (the source's or
        // the caller's clock). A deleted one written again is new to every
        // reader, so it is revived as if inserted: the row is kept (pushes
        // name it), everything in it replaced.
        None | Some((_, true)) => {
            conn.prepare_cached(
                "INSERT INTO profiles (id, source, enterprise_id, profile, content_hash, \
                 created_at, updated_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7) \
                 ON CONFLICT (id) DO UPDATE SET source = excluded.source, \
                 enterprise_id = excluded.enterprise_id, profile = excluded.profile, \
                 content_hash = excluded.content_hash, created_at = excluded.created_at, \
                 updated_at = excluded.updated_at, deleted_at = NULL",
            )?
            .execute(params![
                profile.id,
                profile.source,
                profile.enterprise_id,
                content,
                hash,
                codec::timestamp(profile.created_at),
                codec::timestamp(profile.updated_at),
            ])?;
            Ok(Upsert::Inserted)
        }
        Some((stored, false)) if stored == hash => Ok(Upsert::Unchanged),
        // A changed profile keeps its first created_at; updated_at is when
        // the store saw the change, whatever the incoming value says.
        Some((_, false)) => {
            conn.prepare_cached(
                "UPDATE profiles SET source = ?2, enterprise_id = ?3, profile = ?4, \
                 content_hash = ?5, updated_at = ?6 WHERE id = ?1",
            )?
            .execute(params![
                profile.id,
                profile.source,
                profile.enterprise_id,
                content,
                hash,
                now
            ])?;
            Ok(Upsert::Updated)
        }
    }
}

/// Appends one row to the append-only event history.
fn insert_event(
    conn: &Connection,
    listing_id: &str,
    event: &LifecycleEvent,
    now: &str,
) -> crate::Result<()> {
    // The type column mirrors the JSON tag, so the two cannot disagree.
    let json = serde_json::to_value(event)?;
    let kind = json
        .get("type")
        .and_then(|t| t.as_str())
        .ok_or_else(|| Error::Store("lifecycle event serialised without a type tag".into()))?;
    conn.prepare_cached(
        "INSERT INTO events (listing_id, type, on_date, event, recorded_at) \
         VALUES (?1, ?2, ?3, ?4, ?5)",
    )?
    .execute(params![
        listing_id,
        kind,
        event.on().to_string(),
        serde_json::to_string(&json)?,
        now
    ])?;
    Ok(())
}

/// The lifecycle and the first declaration, which [`Lifecycle::record`]
/// needs to know the terms in force.
fn load_lifecycle(
    conn: &Connection,
    listing_id: &str,
) -> crate::Result<(Lifecycle, Option<Declaration>)> {
    SqliteStore::require_listing(conn, listing_id)?;
    // The listing counts as listed from its first real declaration: a
    // record imported before its terms were known has an empty version 1.
    let mut versions = conn.prepare_cached(
        "SELECT declaration FROM declarations WHERE listing_id = ?1 ORDER BY version",
    )?;
    let mut first = None;
    for content in versions.query_map([listing_id], |row| row.get::<_, String>(0))? {
        let declaration: Declaration =
            codec::decode("declaration of listing", listing_id, &content?)?;
        let declared = !declaration.is_undeclared();
        if first.is_none() || declared {
            first = Some(declaration);
        }
        if declared {
            break;
        }
    }
    let mut stmt =
        conn.prepare_cached("SELECT event FROM events WHERE listing_id = ?1 ORDER BY seq")?;
    let rows = stmt.query_map([listing_id], |row| row.get::<_, String>(0))?;
    let mut events = Vec::new();
    for row in rows {
        events.push(codec::decode("event of listing", listing_id, &row?)?);
    }
    let listed_on = first.as_ref().and_then(|d| d.announced_on);
    Ok((Lifecycle { listed_on, events }, first))
}

fn not_found_shortlist(id: &str) -> Error {
    Error::NotFound {
        what: "shortlist",
        id: id.to_owned(),
    }
}

fn not_found_listing(id: &str) -> Error {
    Error::NotFound {
        what: "listing",
        id: id.to_owned(),
    }
}

/// Why the store's file cannot be written, as the OS says it, if it cannot:
/// opening the file for writing, then writing 64 KiB beside it (SQLite needs
/// room for its `-wal` and `-shm` files before anything is written). Only
/// asked once SQLite has failed, so the probe costs nothing when all is well.
fn unwritable(path: &Path, sqlite: &Error) -> Option<Error> {
    tracing::debug!(path = %path.display(), error = %sqlite, "SQLite failed; asking the OS why");
    let io = |source| Error::Io {
        path: path.to_path_buf(),
        source,
    };
    if let Err(source) = std::fs::OpenOptions::new()
        .write(true)
        .create(true)
        .truncate(false)
        .open(path)
    {
        return Some(io(source));
    }
    let mut probe = path.as_os_str().to_owned();
    probe.push("-probe");
    let probe = PathBuf::from(probe);
    let written = std::fs::write(&probe, [0u8; 64 << 10])
        .and_then(|()| std::fs::File::open(&probe)?.sync_all());
    let _ = std::fs::remove_file(&probe);
    written.err().map(io)
}

/// Names the record a batch failed on; the whole batch is rolled back.
fn in_record(what: &str, id: &str, error: Error) -> Error {
    Error::Store(format!(
        "batch rolled back, nothing written: {what} {id:?}: {error}"
    ))
}
