//! The PostgreSQL store: one server for a commission, many users.
//!
//! The same records as the SQLite store (same import semantics: all-or-nothing, located
//! reference errors, later rows replace earlier ones), loaded in bulk through binary COPY
//! into per-transaction staging tables. Beside them the shared server's records: users and
//! grants, sessions, data approval per unit and year, a version on every facility-year for
//! optimistic concurrency, and the append-only, hash-chained audit log (PostgreSQL
//! triggers refuse UPDATE, DELETE and TRUNCATE on it; `audit_head` keeps the chain's end).
//!
//! Every write that the audit log records takes one transaction-scoped advisory lock, so
//! the chain grows one record at a time and an approval step cannot interleave with a save
//! of the data it covers.

use crate::decode::{corrupt, parse_opt, point, year};
use crate::{ImportBatch, ImportSummary, ReferenceError, Store, StoreCounts, StoreError};
use hsplan_govern::approval::ApprovalState;
use hsplan_govern::audit::{AuditRecord, ChainBreak, Verifier};
use hsplan_govern::{ApprovalAction, Grant, Principal, Role};
use hsplan_model::{
    AdminCode, AdminUnit, AgeBands, Capability, Count, DatasetNote, Facility, FacilityId,
    FacilityYear, Grade, InstitutionType, Labelled, MultiPolygon, NoteKind, Origin, Ownership,
    Persons, PopulationRecord, PopulationSource, Quantity, RecordTable, ServiceSystem, Specialty,
    UnitKind, UrbanRuralClass, UsageCount, Year,
};
use postgres::binary_copy::BinaryCopyInWriter;
use postgres::types::{ToSql, Type};
use postgres::{Client, NoTls, Transaction};
use std::collections::{BTreeMap, HashMap, HashSet};
use std::sync::{Arc, Mutex};

/// Schema migrations, applied in order; `hsplan_schema.version` counts those applied.
const MIGRATIONS: &[&str] = &[
    r#"
CREATE TABLE admin_units (
    code BIGINT PRIMARY KEY,
    name TEXT NOT NULL,
    level INT NOT NULL,
    parent_code BIGINT,
    kind TEXT,
    urban_rural TEXT,
    lon DOUBLE PRECISION,
    lat DOUBLE PRECISION,
    boundary TEXT
);
CREATE INDEX admin_units_parent ON admin_units(parent_code);
CREATE TABLE population (
    unit_code BIGINT NOT NULL,
    year INT NOT NULL,
    source TEXT NOT NULL,
    resident BIGINT NOT NULL,
    male BIGINT, female BIGINT,
    age_0_2 BIGINT, age_0_4 BIGINT, age_0_14 BIGINT, age_15_64 BIGINT,
    age_60_plus BIGINT, age_65_plus BIGINT,
    live_births BIGINT, deaths BIGINT,
    PRIMARY KEY (unit_code, year)
);
CREATE TABLE facilities (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    kind TEXT NOT NULL,
    specialty TEXT,
    grade TEXT NOT NULL,
    ownership TEXT NOT NULL,
    for_profit BOOLEAN,
    unit_code BIGINT NOT NULL,
    lon DOUBLE PRECISION, lat DOUBLE PRECISION,
    opened INT, closed INT
);
CREATE INDEX facilities_unit ON facilities(unit_code);
CREATE TABLE facility_years (
    facility_id TEXT NOT NULL,
    year INT NOT NULL,
    version BIGINT NOT NULL DEFAULT 1,
    PRIMARY KEY (facility_id, year)
);
CREATE TABLE facility_quantities (
    facility_id TEXT NOT NULL,
    year INT NOT NULL,
    quantity TEXT NOT NULL,
    value BIGINT NOT NULL,
    PRIMARY KEY (facility_id, year, quantity)
);
CREATE TABLE facility_capabilities (
    facility_id TEXT NOT NULL,
    year INT NOT NULL,
    capability TEXT NOT NULL,
    PRIMARY KEY (facility_id, year, capability)
);
CREATE TABLE dataset_notes (
    seq BIGSERIAL,
    kind TEXT NOT NULL,
    zh TEXT NOT NULL,
    en TEXT NOT NULL,
    UNIQUE (kind, zh)
);
"#,
    r#"
CREATE TABLE users (
    name TEXT PRIMARY KEY,
    password_hash TEXT NOT NULL,
    disabled BOOLEAN NOT NULL DEFAULT FALSE,
    created_ms BIGINT NOT NULL
);
CREATE TABLE grants (
    user_name TEXT NOT NULL REFERENCES users(name) ON DELETE CASCADE,
    role TEXT NOT NULL,
    unit_code BIGINT NOT NULL,
    PRIMARY KEY (user_name, role, unit_code)
);
CREATE TABLE sessions (
    token_digest TEXT PRIMARY KEY,
    user_name TEXT NOT NULL REFERENCES users(name) ON DELETE CASCADE,
    csrf TEXT NOT NULL,
    created_ms BIGINT NOT NULL,
    expires_ms BIGINT NOT NULL,
    address TEXT NOT NULL
);
CREATE TABLE approvals (
    unit_code BIGINT NOT NULL,
    year INT NOT NULL,
    state TEXT NOT NULL,
    changed_by TEXT NOT NULL,
    changed_ms BIGINT NOT NULL,
    reason TEXT,
    PRIMARY KEY (unit_code, year)
);
CREATE TABLE audit_log (
    seq BIGINT PRIMARY KEY,
    at_ms BIGINT NOT NULL,
    actor TEXT NOT NULL,
    address TEXT NOT NULL,
    action TEXT NOT NULL,
    target TEXT NOT NULL,
    unit_code BIGINT,
    before TEXT NOT NULL,
    after TEXT NOT NULL,
    prev_hash TEXT NOT NULL,
    hash TEXT NOT NULL
);
CREATE INDEX audit_log_unit ON audit_log(unit_code);
CREATE TABLE audit_head (
    one BOOLEAN PRIMARY KEY DEFAULT TRUE CHECK (one),
    seq BIGINT NOT NULL,
    hash TEXT NOT NULL
);
CREATE FUNCTION hsplan_audit_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'the audit log is append-only';
END $$;
CREATE TRIGGER audit_log_no_change BEFORE UPDATE OR DELETE ON audit_log
    FOR EACH ROW EXECUTE FUNCTION hsplan_audit_append_only();
CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON audit_log
    FOR EACH STATEMENT EXECUTE FUNCTION hsplan_audit_append_only();
"#,
    r#"
CREATE TABLE member_orgs (
    user_name TEXT NOT NULL REFERENCES users(name) ON DELETE CASCADE,
    org TEXT NOT NULL,
    PRIMARY KEY (user_name, org)
);
CREATE TABLE work_updates (
    id BIGSERIAL PRIMARY KEY,
    plan TEXT NOT NULL,
    item TEXT NOT NULL,
    at_ms BIGINT NOT NULL,
    reported_on TEXT NOT NULL,
    user_name TEXT NOT NULL,
    org TEXT NOT NULL,
    status TEXT NOT NULL,
    text TEXT NOT NULL,
    attachment_name TEXT,
    attachment_type TEXT,
    attachment BYTEA
);
CREATE INDEX work_updates_item ON work_updates(plan, item, id);
"#,
    r#"
CREATE TABLE plan_versions (
    plan TEXT NOT NULL,
    version BIGINT NOT NULL CHECK (version > 0),
    text TEXT NOT NULL,
    user_name TEXT NOT NULL,
    at_ms BIGINT NOT NULL,
    comment TEXT NOT NULL,
    errors INT NOT NULL,
    warnings INT NOT NULL,
    PRIMARY KEY (plan, version)
);
"#,
    // units of hierarchies that are not NBS-coded: the source's id and level name
    r#"
ALTER TABLE admin_units ADD COLUMN source_id TEXT;
ALTER TABLE admin_units ADD COLUMN level_name TEXT;
"#,
    // utilisation counted from record-level data
    r#"
CREATE TABLE utilisation (
    unit_code BIGINT NOT NULL REFERENCES admin_units(code),
    year INT NOT NULL,
    count TEXT NOT NULL,
    value BIGINT NOT NULL,
    PRIMARY KEY (unit_code, year, count)
);
CREATE TABLE utilisation_coverage (
    unit_code BIGINT NOT NULL REFERENCES admin_units(code),
    year INT NOT NULL,
    record_table TEXT NOT NULL,
    PRIMARY KEY (unit_code, year, record_table)
);
"#,
];

/// Advisory lock key taken by every audited write (serialises the chain).
const WRITE_LOCK: i64 = 0x6873_706c_616e; // "hsplan"

/// Most idle connections kept.
const MAX_IDLE: usize = 32;

/// Who makes a change and from where, for the audit log.
#[derive(Debug, Clone)]
pub struct Actor {
    /// User name (`cli:<name>` for the command line).
    pub name: String,
    /// Client address.
    pub address: String,
}

impl Actor {
    /// The command line, as the operating-system user.
    pub fn cli() -> Actor {
        let who = std::env::var("USER").unwrap_or_else(|_| "unknown".into());
        Actor {
            name: format!("cli:{who}"),
            address: "local".into(),
        }
    }
}

/// A user as listed (never with the password hash).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UserInfo {
    /// Name.
    pub name: String,
    /// Refused at login.
    pub disabled: bool,
    /// Grants.
    pub grants: Vec<Grant>,
}

/// A live session.
#[derive(Debug, Clone)]
pub struct SessionInfo {
    /// Who.
    pub principal: Principal,
    /// The token forms must echo (cookie sessions).
    pub csrf: String,
    /// When it ends.
    pub expires_ms: i64,
}

/// A recorded approval state.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApprovalRecord {
    /// The unit (covering its subtree).
    pub unit: AdminCode,
    /// The year.
    pub year: Year,
    /// State.
    pub state: ApprovalState,
    /// Last changed by.
    pub changed_by: String,
    /// Last changed at (ms since 1970).
    pub changed_ms: i64,
    /// Reason given for a return or an unlock.
    pub reason: Option<String>,
}

/// Why a form save was not stored.
#[derive(Debug)]
pub enum SaveRefusal {
    /// Someone saved the record since it was read: here it is as stored now.
    Stale {
        /// The stored version.
        version: i64,
        /// The stored record (None if it was never stored).
        current: Option<FacilityYear>,
    },
    /// The unit's year is submitted, approved or locked.
    NotEditable {
        /// The governing state.
        state: ApprovalState,
        /// The unit whose record governs.
        unit: AdminCode,
    },
    /// The facility is not in the store.
    UnknownFacility,
}

/// A progress update on a plan task or project.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WorkUpdate {
    /// Id (0 before it is stored).
    pub id: i64,
    /// Plan id.
    pub plan: String,
    /// Work item (`task:7`, `project:专栏七:3`).
    pub item: String,
    /// When it was recorded (ms since 1970).
    pub at_ms: i64,
    /// The date the progress is reported for (YYYY-MM-DD).
    pub reported_on: String,
    /// Who.
    pub user: String,
    /// For which responsible unit.
    pub org: String,
    /// not_started, in_progress, done or blocked.
    pub status: String,
    /// What happened.
    pub text: String,
    /// Attachment file name, if any.
    pub attachment_name: Option<String>,
    /// Attachment media type.
    pub attachment_type: Option<String>,
}

/// A stored version of a plan file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlanVersion {
    /// Plan id.
    pub plan: String,
    /// 1, 2, … (0 is the built-in text, never stored).
    pub version: i64,
    /// Who saved it.
    pub user: String,
    /// When (ms since 1970).
    pub at_ms: i64,
    /// What the editor said of the change.
    pub comment: String,
    /// Lint errors in this version.
    pub errors: u32,
    /// Lint warnings in this version.
    pub warnings: u32,
    /// The TOML text (empty in lists).
    pub text: String,
}

fn plan_version_of(r: &postgres::Row) -> PlanVersion {
    PlanVersion {
        plan: r.get(0),
        version: r.get(1),
        user: r.get(2),
        at_ms: r.get(3),
        comment: r.get(4),
        errors: r.get::<_, i32>(5).max(0) as u32,
        warnings: r.get::<_, i32>(6).max(0) as u32,
        text: r.get(7),
    }
}

/// Audit log query.
#[derive(Debug, Clone, Default)]
pub struct AuditQuery {
    /// Only records after this sequence number.
    pub after: i64,
    /// At most this many.
    pub limit: i64,
    /// Only records about units below these (None = all, including records about no
    /// unit, such as user administration).
    pub within: Option<Vec<AdminCode>>,
}

struct Pool {
    url: String,
    idle: Mutex<Vec<Client>>,
}

impl Drop for Pool {
    fn drop(&mut self) {
        // A client closes its connection with a blocking call, which must not run on an
        // async runtime's thread; drop them on a plain one.
        let clients = std::mem::take(self.idle.get_mut().unwrap_or_else(|e| e.into_inner()));
        if !clients.is_empty() {
            let _ = std::thread::spawn(move || drop(clients)).join();
        }
    }
}

struct Conn<'a> {
    pool: &'a Pool,
    client: Option<Client>,
}

impl std::ops::Deref for Conn<'_> {
    type Target = Client;
    fn deref(&self) -> &Client {
        self.client.as_ref().expect("client present until drop")
    }
}

impl std::ops::DerefMut for Conn<'_> {
    fn deref_mut(&mut self) -> &mut Client {
        self.client.as_mut().expect("client present until drop")
    }
}

impl Drop for Conn<'_> {
    fn drop(&mut self) {
        if let Some(c) = self.client.take()
            && !c.is_closed()
        {
            let mut idle = self.pool.idle.lock().unwrap_or_else(|e| e.into_inner());
            if idle.len() < MAX_IDLE {
                idle.push(c);
            }
        }
    }
}

/// A store in a PostgreSQL database (cheap to clone: clones share a connection pool).
#[derive(Clone)]
pub struct PgStore {
    pool: Arc<Pool>,
}

impl std::fmt::Debug for PgStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // the URL may carry a password: never shown
        f.write_str("PgStore")
    }
}

/// The URL without its password, for messages.
pub fn redacted(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(s), Some(at)) if at > s => {
            let creds = &url[s + 3..at];
            match creds.find(':') {
                Some(c) => format!("{}{}:***{}", &url[..s + 3], &creds[..c], &url[at..]),
                None => url.to_string(),
            }
        }
        _ => url.to_string(),
    }
}

/// Milliseconds since 1970.
pub fn now_ms() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_millis() as i64)
        .unwrap_or(0)
}

fn code_i64(c: AdminCode) -> i64 {
    c.get() as i64
}

fn code_of(what: &str, v: i64) -> Result<AdminCode, StoreError> {
    AdminCode::from_u64(v as u64).map_err(|e| corrupt(what, e))
}

/// The lowest and highest code of a unit's subtree.
pub fn subtree_range(root: AdminCode) -> (i64, i64) {
    let (lo, hi) = root.subtree_range();
    (lo as i64, hi as i64)
}

/// A unit and its ancestors, nearest first.
fn path_up(unit: AdminCode) -> Vec<AdminCode> {
    std::iter::successors(Some(unit), |c| c.parent()).collect()
}

fn json<T: serde::Serialize>(v: &T) -> String {
    serde_json::to_string(v).unwrap_or_else(|_| "null".into())
}

impl PgStore {
    /// Connects to `url` (`postgres://…`), checks and applies migrations.
    pub fn open(url: &str) -> Result<Self, StoreError> {
        let store = PgStore {
            pool: Arc::new(Pool {
                url: url.to_string(),
                idle: Mutex::new(Vec::new()),
            }),
        };
        store.migrate()?;
        Ok(store)
    }

    fn conn(&self) -> Result<Conn<'_>, StoreError> {
        let idle = self
            .pool
            .idle
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .pop();
        let client = match idle {
            Some(c) => c,
            None => Client::connect(&self.pool.url, NoTls).map_err(|e| {
                StoreError::Connect(format!("{}: {}", redacted(&self.pool.url), pg_message(&e)))
            })?,
        };
        Ok(Conn {
            pool: &self.pool,
            client: Some(client),
        })
    }

    fn migrate(&self) -> Result<(), StoreError> {
        let mut c = self.conn()?;
        let mut tx = c.transaction()?;
        tx.execute("SELECT pg_advisory_xact_lock($1)", &[&WRITE_LOCK])?;
        tx.batch_execute("CREATE TABLE IF NOT EXISTS hsplan_schema (version INT NOT NULL)")?;
        let version: i64 = match tx.query_opt("SELECT version FROM hsplan_schema", &[])? {
            Some(r) => r.get::<_, i32>(0) as i64,
            None => {
                tx.execute("INSERT INTO hsplan_schema VALUES (0)", &[])?;
                0
            }
        };
        let supported = MIGRATIONS.len() as i64;
        if version > supported {
            return Err(StoreError::NewerSchema {
                found: version,
                supported,
            });
        }
        for sql in &MIGRATIONS[version as usize..] {
            tx.batch_execute(sql)?;
        }
        tx.execute(
            "UPDATE hsplan_schema SET version = $1",
            &[&(supported as i32)],
        )?;
        tx.commit()?;
        Ok(())
    }

    /// Schema version of the database.
    pub fn schema_version(&self) -> Result<i64, StoreError> {
        let mut c = self.conn()?;
        Ok(c.query_one("SELECT version FROM hsplan_schema", &[])?
            .get::<_, i32>(0) as i64)
    }

    /// Imports the batch like [`Store::import`], recording it in the audit log as `actor`'s
    /// `action`. Facility-years of a unit and year that is submitted, approved or locked
    /// are refused (located), and with them the whole batch.
    pub fn import_audited(
        &self,
        batch: &ImportBatch,
        actor: &Actor,
        action: &str,
        target: &str,
    ) -> Result<ImportSummary, StoreError> {
        let mut c = self.conn()?;
        let mut tx = c.transaction()?;
        tx.execute("SELECT pg_advisory_xact_lock($1)", &[&WRITE_LOCK])?;
        let mut missing = Vec::new();
        let summary = write_batch(&mut tx, batch, &mut missing)?;
        if !missing.is_empty() {
            return Err(StoreError::References(missing));
        }
        let after = serde_json::json!({
            "units": summary.units,
            "geometries": summary.geometries,
            "population": summary.population,
            "facilities": summary.facilities,
            "facility_years": summary.facility_years,
        });
        let scope = batch_scope(batch, &mut tx)?;
        append_audit(
            &mut tx,
            actor,
            action,
            target,
            scope,
            "null",
            &after.to_string(),
        )?;
        tx.commit()?;
        Ok(summary)
    }

    // ---- users, grants, sessions ----

    /// Adds a user with an argon2id hash (see `hsplan_govern::secrets`).
    pub fn add_user(&self, name: &str, hash: &str, actor: &Actor) -> Result<(), StoreError> {
        self.audited(actor, |tx| {
            let n = tx.execute(
                "INSERT INTO users (name, password_hash, created_ms) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING",
                &[&name, &hash, &now_ms()],
            )?;
            if n == 0 {
                return Err(StoreError::Refused(format!("user `{name}` already exists")));
            }
            Ok((
                "user.add".into(),
                format!("user:{name}"),
                None,
                "null".into(),
                json(&serde_json::json!({ "user": name })),
                (),
            ))
        })
    }

    /// Replaces a user's password hash and ends their sessions.
    pub fn set_password(&self, name: &str, hash: &str, actor: &Actor) -> Result<(), StoreError> {
        self.audited(actor, |tx| {
            let n = tx.execute(
                "UPDATE users SET password_hash = $2 WHERE name = $1",
                &[&name, &hash],
            )?;
            if n == 0 {
                return Err(StoreError::NotFound(format!("user `{name}`")));
            }
            tx.execute("DELETE FROM sessions WHERE user_name = $1", &[&name])?;
            Ok((
                "user.password".into(),
                format!("user:{name}"),
                None,
                "null".into(),
                json(&serde_json::json!({ "user": name, "sessions_ended": true })),
                (),
            ))
        })
    }

    /// Grants a role on a unit's subtree.
    pub fn grant(&self, name: &str, grant: Grant, actor: &Actor) -> Result<(), StoreError> {
        self.audited(actor, |tx| {
            if tx
                .query_opt("SELECT 1 FROM users WHERE name = $1", &[&name])?
                .is_none()
            {
                return Err(StoreError::NotFound(format!("user `{name}`")));
            }
            tx.execute(
                "INSERT INTO grants VALUES ($1, $2, $3) ON CONFLICT DO NOTHING",
                &[&name, &grant.role.code(), &code_i64(grant.unit)],
            )?;
            Ok((
                "user.grant".into(),
                format!("user:{name}"),
                Some(grant.unit),
                "null".into(),
                json(&serde_json::json!({ "user": name, "role": grant.role, "unit": grant.unit.to_string() })),
                (),
            ))
        })
    }

    /// Revokes a grant.
    pub fn revoke(&self, name: &str, grant: Grant, actor: &Actor) -> Result<(), StoreError> {
        self.audited(actor, |tx| {
            let n = tx.execute(
                "DELETE FROM grants WHERE user_name = $1 AND role = $2 AND unit_code = $3",
                &[&name, &grant.role.code(), &code_i64(grant.unit)],
            )?;
            if n == 0 {
                return Err(StoreError::NotFound(format!(
                    "grant {} on {} to `{name}`",
                    grant.role, grant.unit
                )));
            }
            Ok((
                "user.revoke".into(),
                format!("user:{name}"),
                Some(grant.unit),
                json(&serde_json::json!({ "user": name, "role": grant.role, "unit": grant.unit.to_string() })),
                "null".into(),
                (),
            ))
        })
    }

    /// Every user with their grants.
    pub fn users(&self) -> Result<Vec<UserInfo>, StoreError> {
        let mut c = self.conn()?;
        let mut out: BTreeMap<String, UserInfo> = BTreeMap::new();
        for r in c.query("SELECT name, disabled FROM users", &[])? {
            let name: String = r.get(0);
            out.insert(
                name.clone(),
                UserInfo {
                    name,
                    disabled: r.get(1),
                    grants: Vec::new(),
                },
            );
        }
        for r in c.query(
            "SELECT user_name, role, unit_code FROM grants ORDER BY 1, 3, 2",
            &[],
        )? {
            let g = grant_of(r.get(1), r.get(2))?;
            if let Some(u) = out.get_mut(r.get::<_, &str>(0)) {
                u.grants.push(g);
            }
        }
        Ok(out.into_values().collect())
    }

    /// The stored hash of an enabled user, for a login.
    pub fn password_hash(&self, name: &str) -> Result<Option<String>, StoreError> {
        let mut c = self.conn()?;
        Ok(c.query_opt(
            "SELECT password_hash FROM users WHERE name = $1 AND NOT disabled",
            &[&name],
        )?
        .map(|r| r.get(0)))
    }

    fn principal_in(c: &mut Client, name: &str) -> Result<Principal, StoreError> {
        let mut grants = Vec::new();
        for r in c.query(
            "SELECT role, unit_code FROM grants WHERE user_name = $1",
            &[&name],
        )? {
            grants.push(grant_of(r.get(0), r.get(1))?);
        }
        Ok(Principal {
            user: name.to_string(),
            grants,
        })
    }

    /// Opens a session (recorded in the audit log as a login).
    pub fn create_session(
        &self,
        name: &str,
        token_digest: &str,
        csrf: &str,
        expires_ms: i64,
        address: &str,
    ) -> Result<(), StoreError> {
        let actor = Actor {
            name: name.into(),
            address: address.into(),
        };
        self.audited(&actor, |tx| {
            tx.execute("DELETE FROM sessions WHERE expires_ms < $1", &[&now_ms()])?;
            tx.execute(
                "INSERT INTO sessions VALUES ($1, $2, $3, $4, $5, $6)",
                &[
                    &token_digest,
                    &name,
                    &csrf,
                    &now_ms(),
                    &expires_ms,
                    &address,
                ],
            )?;
            Ok((
                "session.login".into(),
                format!("user:{name}"),
                None,
                "null".into(),
                json(&serde_json::json!({ "expires_ms": expires_ms })),
                (),
            ))
        })
    }

    /// The live session with this token digest.
    pub fn session(&self, token_digest: &str) -> Result<Option<SessionInfo>, StoreError> {
        let mut c = self.conn()?;
        let row = c.query_opt(
            "SELECT s.user_name, s.csrf, s.expires_ms FROM sessions s JOIN users u ON u.name = s.user_name
             WHERE s.token_digest = $1 AND s.expires_ms > $2 AND NOT u.disabled",
            &[&token_digest, &now_ms()],
        )?;
        let Some(row) = row else { return Ok(None) };
        let name: String = row.get(0);
        Ok(Some(SessionInfo {
            principal: Self::principal_in(&mut c, &name)?,
            csrf: row.get(1),
            expires_ms: row.get(2),
        }))
    }

    /// Ends a session (a logout); true if there was one.
    pub fn end_session(&self, token_digest: &str, address: &str) -> Result<bool, StoreError> {
        let mut c = self.conn()?;
        let Some(r) = c.query_opt(
            "SELECT user_name FROM sessions WHERE token_digest = $1",
            &[&token_digest],
        )?
        else {
            return Ok(false);
        };
        let actor = Actor {
            name: r.get(0),
            address: address.into(),
        };
        drop(c);
        self.audited(&actor, |tx| {
            tx.execute(
                "DELETE FROM sessions WHERE token_digest = $1",
                &[&token_digest],
            )?;
            Ok((
                "session.logout".into(),
                format!("user:{}", actor.name),
                None,
                "null".into(),
                "null".into(),
                true,
            ))
        })
    }

    // ---- approvals ----

    /// Every recorded approval state (units and years without one are drafts).
    pub fn approvals(&self) -> Result<Vec<ApprovalRecord>, StoreError> {
        let mut c = self.conn()?;
        c.query(
            "SELECT unit_code, year, state, changed_by, changed_ms, reason FROM approvals ORDER BY year, unit_code",
            &[],
        )?
        .iter()
        .map(approval_of)
        .collect()
    }

    /// Takes one workflow step on a unit's year; refused steps change nothing.
    pub fn change_approval(
        &self,
        unit: AdminCode,
        year: Year,
        action: ApprovalAction,
        reason: Option<&str>,
        actor: &Actor,
    ) -> Result<ApprovalRecord, StoreError> {
        self.audited(actor, |tx| {
            let y = year.get() as i32;
            let from = tx
                .query_opt(
                    "SELECT state FROM approvals WHERE unit_code = $1 AND year = $2",
                    &[&code_i64(unit), &y],
                )?
                .map(|r| state_of(r.get(0)))
                .transpose()?
                .unwrap_or(ApprovalState::Draft);
            let to = action
                .apply(from, reason)
                .map_err(|e| StoreError::Refused(e.to_string()))?;
            let reason = reason.map(str::trim).filter(|r| !r.is_empty());
            let at = now_ms();
            tx.execute(
                "INSERT INTO approvals VALUES ($1, $2, $3, $4, $5, $6)
                 ON CONFLICT (unit_code, year) DO UPDATE SET state = $3, changed_by = $4, changed_ms = $5, reason = $6",
                &[&code_i64(unit), &y, &to.code(), &actor.name, &at, &reason],
            )?;
            let record = ApprovalRecord {
                unit,
                year,
                state: to,
                changed_by: actor.name.clone(),
                changed_ms: at,
                reason: reason.map(str::to_string),
            };
            Ok((
                format!("approval.{}", action.code()),
                format!("unit:{unit} year:{year}"),
                Some(unit),
                json(&serde_json::json!({ "state": from })),
                json(&serde_json::json!({ "state": to, "reason": reason })),
                record,
            ))
        })
    }

    // ---- facility-years with versions ----

    /// A stored facility-year and its version.
    pub fn facility_year(
        &self,
        id: &FacilityId,
        year: Year,
    ) -> Result<Option<(FacilityYear, i64)>, StoreError> {
        let mut c = self.conn()?;
        let mut tx = c.transaction()?;
        let r = read_facility_year(&mut tx, id, year)?;
        tx.commit()?;
        Ok(r)
    }

    /// Saves a facility-year typed into a form if it is still at `expected_version`
    /// (0 = not stored yet) and its unit's year is a draft; returns the new version.
    pub fn save_facility_year(
        &self,
        fy: &FacilityYear,
        expected_version: i64,
        actor: &Actor,
    ) -> Result<Result<i64, SaveRefusal>, StoreError> {
        self.audited_maybe(actor, |tx| {
            let Some(unit) = tx
                .query_opt(
                    "SELECT unit_code FROM facilities WHERE id = $1",
                    &[&fy.facility.as_str()],
                )?
                .map(|r| code_of("facility unit", r.get(0)))
                .transpose()?
            else {
                return Ok(Err(SaveRefusal::UnknownFacility));
            };
            if let Some((state, unit)) = governing_state(tx, unit, fy.year)?
                && !state.editable()
            {
                return Ok(Err(SaveRefusal::NotEditable { state, unit }));
            }
            let current = read_facility_year(tx, &fy.facility, fy.year)?;
            let version = current.as_ref().map_or(0, |(_, v)| *v);
            if version != expected_version {
                return Ok(Err(SaveRefusal::Stale {
                    version,
                    current: current.map(|(f, _)| f),
                }));
            }
            let key: [&(dyn ToSql + Sync); 2] = [&fy.facility.as_str(), &(fy.year.get() as i32)];
            let new_version = tx
                .query_one(
                    "INSERT INTO facility_years (facility_id, year) VALUES ($1, $2)
                     ON CONFLICT (facility_id, year) DO UPDATE SET version = facility_years.version + 1
                     RETURNING version",
                    &key,
                )?
                .get::<_, i64>(0);
            tx.execute(
                "DELETE FROM facility_quantities WHERE facility_id = $1 AND year = $2",
                &key,
            )?;
            tx.execute(
                "DELETE FROM facility_capabilities WHERE facility_id = $1 AND year = $2",
                &key,
            )?;
            // one statement each, whatever the number of quantities
            let (codes, values): (Vec<&str>, Vec<i64>) =
                fy.quantities.iter().map(|(q, v)| (q.code(), v.0 as i64)).unzip();
            tx.execute(
                "INSERT INTO facility_quantities SELECT $1, $2, q, v FROM unnest($3::TEXT[], $4::BIGINT[]) AS t(q, v)",
                &[key[0], key[1], &codes, &values],
            )?;
            let caps: Vec<&str> = fy.capabilities.iter().map(|c| c.code()).collect();
            tx.execute(
                "INSERT INTO facility_capabilities SELECT $1, $2, c FROM unnest($3::TEXT[]) AS t(c)",
                &[key[0], key[1], &caps],
            )?;
            Ok(Ok((
                "facility_year.save".into(),
                format!("facility:{} year:{}", fy.facility, fy.year),
                Some(unit),
                current.map_or_else(|| "null".into(), |(f, _)| json(&f)),
                json(fy),
                new_version,
            )))
        })
    }

    // ---- task ledger ----

    /// Lets a user act for a responsible unit (an organisation named in plans).
    pub fn add_member_org(&self, name: &str, org: &str, actor: &Actor) -> Result<(), StoreError> {
        self.audited(actor, |tx| {
            if tx
                .query_opt("SELECT 1 FROM users WHERE name = $1", &[&name])?
                .is_none()
            {
                return Err(StoreError::NotFound(format!("user `{name}`")));
            }
            tx.execute(
                "INSERT INTO member_orgs VALUES ($1, $2) ON CONFLICT DO NOTHING",
                &[&name, &org],
            )?;
            Ok((
                "user.org".into(),
                format!("user:{name}"),
                None,
                "null".into(),
                json(&serde_json::json!({ "user": name, "org": org })),
                (),
            ))
        })
    }

    /// The responsible units a user acts for.
    pub fn member_orgs(&self, name: &str) -> Result<Vec<String>, StoreError> {
        let mut c = self.conn()?;
        Ok(c.query(
            "SELECT org FROM member_orgs WHERE user_name = $1 ORDER BY org",
            &[&name],
        )?
        .iter()
        .map(|r| r.get(0))
        .collect())
    }

    /// Progress updates of a plan (all items, or one), oldest first, without attachments.
    pub fn work_updates(
        &self,
        plan: &str,
        item: Option<&str>,
    ) -> Result<Vec<WorkUpdate>, StoreError> {
        let mut c = self.conn()?;
        let rows = c.query(
            "SELECT id, plan, item, at_ms, reported_on, user_name, org, status, text, attachment_name, attachment_type
             FROM work_updates WHERE plan = $1 AND ($2::TEXT IS NULL OR item = $2) ORDER BY id",
            &[&plan, &item],
        )?;
        Ok(rows
            .iter()
            .map(|r| WorkUpdate {
                id: r.get(0),
                plan: r.get(1),
                item: r.get(2),
                at_ms: r.get(3),
                reported_on: r.get(4),
                user: r.get(5),
                org: r.get(6),
                status: r.get(7),
                text: r.get(8),
                attachment_name: r.get(9),
                attachment_type: r.get(10),
            })
            .collect())
    }

    /// Records a progress update (with an optional attachment) in the audit log's
    /// transaction; `unit` scopes its audit record (the plan's jurisdiction).
    pub fn add_work_update(
        &self,
        u: &WorkUpdate,
        attachment: Option<&[u8]>,
        unit: Option<AdminCode>,
        actor: &Actor,
    ) -> Result<i64, StoreError> {
        self.audited(actor, |tx| {
            let at = now_ms();
            let id: i64 = tx
                .query_one(
                    "INSERT INTO work_updates (plan, item, at_ms, reported_on, user_name, org, status, text, attachment_name, attachment_type, attachment)
                     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) RETURNING id",
                    &[&u.plan, &u.item, &at, &u.reported_on, &u.user, &u.org, &u.status, &u.text, &u.attachment_name, &u.attachment_type, &attachment],
                )?
                .get(0);
            Ok((
                "task.update".into(),
                format!("plan:{} {}", u.plan, u.item),
                unit,
                "null".into(),
                json(&serde_json::json!({
                    "id": id, "reported_on": u.reported_on, "org": u.org, "status": u.status,
                    "text": u.text, "attachment": u.attachment_name,
                    "attachment_bytes": attachment.map(<[u8]>::len),
                })),
                id,
            ))
        })
    }

    /// An update's attachment: name, media type, bytes.
    pub fn work_attachment(
        &self,
        plan: &str,
        id: i64,
    ) -> Result<Option<(String, String, Vec<u8>)>, StoreError> {
        let mut c = self.conn()?;
        Ok(c.query_opt(
            "SELECT attachment_name, attachment_type, attachment FROM work_updates
             WHERE plan = $1 AND id = $2 AND attachment IS NOT NULL",
            &[&plan, &id],
        )?
        .map(|r| {
            (
                r.get(0),
                r.get::<_, Option<String>>(1).unwrap_or_default(),
                r.get(2),
            )
        }))
    }

    // ---- plan files ----

    /// The stored versions of a plan, oldest first, without their text.
    pub fn plan_versions(&self, plan: &str) -> Result<Vec<PlanVersion>, StoreError> {
        let mut c = self.conn()?;
        Ok(c.query(
            "SELECT plan, version, user_name, at_ms, comment, errors, warnings, ''
             FROM plan_versions WHERE plan = $1 ORDER BY version",
            &[&plan],
        )?
        .iter()
        .map(plan_version_of)
        .collect())
    }

    /// One stored version of a plan, with its text.
    pub fn plan_version(
        &self,
        plan: &str,
        version: i64,
    ) -> Result<Option<PlanVersion>, StoreError> {
        let mut c = self.conn()?;
        Ok(c.query_opt(
            "SELECT plan, version, user_name, at_ms, comment, errors, warnings, text
             FROM plan_versions WHERE plan = $1 AND version = $2",
            &[&plan, &version],
        )?
        .as_ref()
        .map(plan_version_of))
    }

    /// The newest stored version of every edited plan, with its text.
    pub fn latest_plan_versions(&self) -> Result<Vec<PlanVersion>, StoreError> {
        let mut c = self.conn()?;
        Ok(c.query(
            "SELECT DISTINCT ON (plan) plan, version, user_name, at_ms, comment, errors, warnings, text
             FROM plan_versions ORDER BY plan, version DESC",
            &[],
        )?
        .iter()
        .map(plan_version_of)
        .collect())
    }

    /// Stores `v.text` as the version after `base` (0: the built-in text), in the audit
    /// log's transaction; refused with the stored newest version when `base` is not it.
    /// `unit` scopes the audit record (the plan's jurisdiction).
    pub fn save_plan_version(
        &self,
        v: &PlanVersion,
        base: i64,
        unit: Option<AdminCode>,
        actor: &Actor,
    ) -> Result<Result<PlanVersion, i64>, StoreError> {
        self.audited_maybe(actor, |tx| {
            let newest: i64 = tx
                .query_one(
                    "SELECT COALESCE(MAX(version), 0) FROM plan_versions WHERE plan = $1",
                    &[&v.plan],
                )?
                .get(0);
            if newest != base {
                return Ok(Err(newest));
            }
            let stored = PlanVersion {
                version: base + 1,
                at_ms: now_ms(),
                ..v.clone()
            };
            tx.execute(
                "INSERT INTO plan_versions (plan, version, text, user_name, at_ms, comment, errors, warnings)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
                &[
                    &stored.plan,
                    &stored.version,
                    &stored.text,
                    &stored.user,
                    &stored.at_ms,
                    &stored.comment,
                    &(stored.errors as i32),
                    &(stored.warnings as i32),
                ],
            )?;
            let digest = |text: &str| hsplan_govern::secrets::sha256_hex(text.as_bytes());
            Ok(Ok((
                "plan.save".into(),
                format!("plan:{}", stored.plan),
                unit,
                json(&serde_json::json!({ "version": base })),
                json(&serde_json::json!({
                    "version": stored.version,
                    "sha256": digest(&stored.text),
                    "lines": stored.text.lines().count(),
                    "comment": stored.comment,
                    "errors": stored.errors,
                    "warnings": stored.warnings,
                })),
                stored,
            )))
        })
    }

    // ---- audit ----

    /// Audit records in `seq` order.
    pub fn audit_records(&self, q: &AuditQuery) -> Result<Vec<AuditRecord>, StoreError> {
        let mut c = self.conn()?;
        let limit = if q.limit <= 0 { 1000 } else { q.limit };
        let rows = match &q.within {
            None => c.query(
                "SELECT seq, at_ms, actor, address, action, target, before, after, prev_hash, hash
                 FROM audit_log WHERE seq > $1 ORDER BY seq LIMIT $2",
                &[&q.after, &limit],
            )?,
            Some(roots) => {
                let (lo, hi): (Vec<i64>, Vec<i64>) =
                    roots.iter().map(|r| subtree_range(*r)).unzip();
                c.query(
                    "SELECT seq, at_ms, actor, address, action, target, before, after, prev_hash, hash
                     FROM audit_log a WHERE seq > $1 AND EXISTS (
                        SELECT 1 FROM unnest($3::BIGINT[], $4::BIGINT[]) AS r(lo, hi)
                        WHERE a.unit_code BETWEEN r.lo AND r.hi)
                     ORDER BY seq LIMIT $2",
                    &[&q.after, &limit, &lo, &hi],
                )?
            }
        };
        Ok(rows.iter().map(audit_of).collect())
    }

    /// Verifies the whole chain against its recorded head; the number of records.
    pub fn verify_audit(&self) -> Result<Result<u64, ChainBreak>, StoreError> {
        let mut c = self.conn()?;
        let mut tx = c
            .build_transaction()
            .isolation_level(postgres::IsolationLevel::RepeatableRead)
            .read_only(true)
            .start()?;
        let head = tx
            .query_opt("SELECT seq, hash FROM audit_head", &[])?
            .map(|r| (r.get::<_, i64>(0), r.get::<_, String>(1)));
        let portal = tx.bind(
            "SELECT seq, at_ms, actor, address, action, target, before, after, prev_hash, hash FROM audit_log ORDER BY seq",
            &[],
        )?;
        let mut v = Verifier::default();
        loop {
            let rows = tx.query_portal(&portal, 10_000)?;
            if rows.is_empty() {
                break;
            }
            for r in &rows {
                if let Err(e) = v.push(&audit_of(r)) {
                    return Ok(Err(e));
                }
            }
        }
        Ok(v.finish(head.as_ref().map(|(s, h)| (*s, h.as_str()))))
    }

    /// Runs `f` in a write transaction under the audit lock and appends the record it
    /// describes; `f`'s error (or a failed append) rolls everything back.
    fn audited<T>(
        &self,
        actor: &Actor,
        f: impl FnOnce(&mut Transaction) -> Result<AuditedChange<T>, StoreError>,
    ) -> Result<T, StoreError> {
        self.audited_maybe(actor, |tx| f(tx).map(Ok)).map(
            |r: Result<T, std::convert::Infallible>| match r {
                Ok(v) => v,
                Err(never) => match never {},
            },
        )
    }

    /// Like [`Self::audited`], but `f` may decline (`Ok(Err(_))`): nothing is written.
    fn audited_maybe<T, R>(
        &self,
        actor: &Actor,
        f: impl FnOnce(&mut Transaction) -> Result<Result<AuditedChange<T>, R>, StoreError>,
    ) -> Result<Result<T, R>, StoreError> {
        let mut c = self.conn()?;
        let mut tx = c.transaction()?;
        tx.execute("SELECT pg_advisory_xact_lock($1)", &[&WRITE_LOCK])?;
        match f(&mut tx)? {
            Err(refusal) => Ok(Err(refusal)),
            Ok((action, target, unit, before, after, value)) => {
                append_audit(&mut tx, actor, &action, &target, unit, &before, &after)?;
                tx.commit()?;
                Ok(Ok(value))
            }
        }
    }
}

/// What a change records: action, target, unit, before, after, and the caller's value.
type AuditedChange<T> = (String, String, Option<AdminCode>, String, String, T);

fn grant_of(role: &str, unit: i64) -> Result<Grant, StoreError> {
    Ok(Grant {
        role: Role::parse(role).ok_or_else(|| corrupt("role", role))?,
        unit: code_of("grant unit", unit)?,
    })
}

fn state_of(s: &str) -> Result<ApprovalState, StoreError> {
    ApprovalState::parse(s).ok_or_else(|| corrupt("approval state", s))
}

fn approval_of(r: &postgres::Row) -> Result<ApprovalRecord, StoreError> {
    Ok(ApprovalRecord {
        unit: code_of("approval unit", r.get(0))?,
        year: year("approval year", r.get::<_, i32>(1) as i64)?,
        state: state_of(r.get(2))?,
        changed_by: r.get(3),
        changed_ms: r.get(4),
        reason: r.get(5),
    })
}

fn audit_of(r: &postgres::Row) -> AuditRecord {
    AuditRecord {
        seq: r.get(0),
        at_ms: r.get(1),
        actor: r.get(2),
        address: r.get(3),
        action: r.get(4),
        target: r.get(5),
        before: r.get(6),
        after: r.get(7),
        prev_hash: r.get(8),
        hash: r.get(9),
    }
}

/// The strongest recorded state on the path from `unit` up, with the unit holding it.
fn governing_state(
    tx: &mut Transaction,
    unit: AdminCode,
    year: Year,
) -> Result<Option<(ApprovalState, AdminCode)>, StoreError> {
    let path: Vec<i64> = path_up(unit).into_iter().map(code_i64).collect();
    let mut best: Option<(ApprovalState, AdminCode)> = None;
    for r in tx.query(
        "SELECT unit_code, state FROM approvals WHERE year = $1 AND unit_code = ANY($2)",
        &[&(year.get() as i32), &path],
    )? {
        let s = state_of(r.get(1))?;
        if best.is_none_or(|(b, _)| s > b) {
            best = Some((s, code_of("approval unit", r.get(0))?));
        }
    }
    Ok(best)
}

fn read_facility_year(
    tx: &mut Transaction,
    id: &FacilityId,
    y: Year,
) -> Result<Option<(FacilityYear, i64)>, StoreError> {
    let key: [&(dyn ToSql + Sync); 2] = [&id.as_str(), &(y.get() as i32)];
    let Some(v) = tx.query_opt(
        "SELECT version FROM facility_years WHERE facility_id = $1 AND year = $2 FOR UPDATE",
        &key,
    )?
    else {
        return Ok(None);
    };
    let mut fy = FacilityYear::new(id.clone(), y);
    for r in tx.query(
        "SELECT quantity, value FROM facility_quantities WHERE facility_id = $1 AND year = $2",
        &key,
    )? {
        let q = Quantity::parse_label(r.get(0)).map_err(|e| corrupt("quantity", e))?;
        fy.quantities.insert(q, Count(r.get::<_, i64>(1) as u64));
    }
    for r in tx.query(
        "SELECT capability FROM facility_capabilities WHERE facility_id = $1 AND year = $2",
        &key,
    )? {
        fy.capabilities
            .insert(Capability::parse_label(r.get(0)).map_err(|e| corrupt("capability", e))?);
    }
    Ok(Some((fy, v.get(0))))
}

fn append_audit(
    tx: &mut Transaction,
    actor: &Actor,
    action: &str,
    target: &str,
    unit: Option<AdminCode>,
    before: &str,
    after: &str,
) -> Result<AuditRecord, StoreError> {
    let head = tx
        .query_opt("SELECT seq, hash FROM audit_head", &[])?
        .map(|r| (r.get::<_, i64>(0), r.get::<_, String>(1)));
    let rec = AuditRecord::next(
        head.as_ref().map(|(s, h)| (*s, h.as_str())),
        now_ms(),
        &actor.name,
        &actor.address,
        action,
        target,
        before,
        after,
    );
    tx.execute(
        "INSERT INTO audit_log VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
        &[
            &rec.seq,
            &rec.at_ms,
            &rec.actor,
            &rec.address,
            &rec.action,
            &rec.target,
            &unit.map(code_i64),
            &rec.before,
            &rec.after,
            &rec.prev_hash,
            &rec.hash,
        ],
    )?;
    tx.execute(
        "INSERT INTO audit_head (one, seq, hash) VALUES (TRUE, $1, $2)
         ON CONFLICT (one) DO UPDATE SET seq = $1, hash = $2",
        &[&rec.seq, &rec.hash],
    )?;
    Ok(rec)
}

/// The lowest unit covering everything a batch touches (for scoping its audit record).
fn batch_scope(batch: &ImportBatch, tx: &mut Transaction) -> Result<Option<AdminCode>, StoreError> {
    let mut units: Vec<AdminCode> = Vec::new();
    units.extend(batch.units.iter().map(|u| u.value.code));
    units.extend(batch.geometries.iter().map(|g| g.value.code));
    units.extend(batch.population.iter().map(|p| p.value.unit));
    units.extend(batch.facilities.iter().map(|f| f.value.unit));
    if !batch.facility_years.is_empty() {
        let ids: Vec<&str> = batch
            .facility_years
            .iter()
            .map(|f| f.value.facility.as_str())
            .collect::<HashSet<_>>()
            .into_iter()
            .collect();
        for r in tx.query(
            "SELECT DISTINCT unit_code FROM facilities WHERE id = ANY($1)",
            &[&ids],
        )? {
            units.push(code_of("facility unit", r.get(0))?);
        }
    }
    let Some(first) = units.first().copied() else {
        return Ok(None);
    };
    let mut common = Some(first);
    for u in units {
        common = common.and_then(|c| {
            path_up(c)
                .into_iter()
                .find(|a| *a == u || u.is_descendant_of(*a))
        });
    }
    Ok(common)
}

/// Keeps the last record per key (later rows of a file replace earlier ones).
fn last_per_key<'a, T, K: std::hash::Hash + Eq>(
    items: impl Iterator<Item = &'a T>,
    key: impl Fn(&T) -> K,
) -> Vec<&'a T>
where
    T: 'a,
{
    let items: Vec<&T> = items.collect();
    let mut last: HashMap<K, usize> = HashMap::new();
    for (i, it) in items.iter().enumerate() {
        last.insert(key(it), i);
    }
    items
        .iter()
        .enumerate()
        .filter(|(i, it)| last.get(&key(it)) == Some(i))
        .map(|(_, it)| *it)
        .collect()
}

fn copy_in(
    tx: &mut Transaction,
    table: &str,
    types: &[Type],
    rows: &[Vec<Box<dyn ToSql + Sync>>],
) -> Result<(), StoreError> {
    if rows.is_empty() {
        return Ok(());
    }
    let sink = tx.copy_in(&format!("COPY {table} FROM STDIN BINARY"))?;
    let mut w = BinaryCopyInWriter::new(sink, types);
    for row in rows {
        let refs: Vec<&(dyn ToSql + Sync)> = row.iter().map(|b| b.as_ref()).collect();
        w.write(&refs)?;
    }
    w.finish()?;
    Ok(())
}

/// The records whose unit is in the store (or this batch); the others become located
/// reference errors.
fn in_known_units<'a, T>(
    records: &'a [hsplan_model::Sourced<T>],
    units: &HashSet<i64>,
    column: &'static str,
    unit_of: impl Fn(&T) -> AdminCode,
    missing: &mut Vec<ReferenceError>,
) -> Vec<&'a hsplan_model::Sourced<T>> {
    let mut accepted = Vec::new();
    for r in records {
        let unit = unit_of(&r.value);
        if units.contains(&code_i64(unit)) {
            accepted.push(r);
        } else {
            missing.push(ReferenceError {
                origin: r.origin.clone(),
                column,
                value: unit.to_string(),
                expected: "the code of a unit in the store".into(),
            });
        }
    }
    accepted
}

fn write_batch(
    tx: &mut Transaction,
    batch: &ImportBatch,
    missing: &mut Vec<ReferenceError>,
) -> Result<ImportSummary, StoreError> {
    let mut summary = ImportSummary::default();
    let mut units: HashSet<i64> = tx
        .query("SELECT code FROM admin_units", &[])?
        .iter()
        .map(|r| r.get(0))
        .collect();
    let mut facility_units: HashMap<String, i64> = tx
        .query("SELECT id, unit_code FROM facilities", &[])?
        .iter()
        .map(|r| (r.get(0), r.get(1)))
        .collect();

    // units, parents first
    let mut sorted: Vec<_> = batch.units.iter().collect();
    sorted.sort_by_key(|u| (u.value.level(), u.value.code));
    let mut rows: Vec<Vec<Box<dyn ToSql + Sync>>> = Vec::new();
    let mut accepted = Vec::new();
    for u in sorted {
        let unit = &u.value;
        if let Some(parent) = unit.parent()
            && !units.contains(&code_i64(parent))
        {
            missing.push(ReferenceError {
                origin: u.origin.clone(),
                column: "code",
                value: unit.code.to_string(),
                expected: format!(
                    "a unit whose parent {parent} is already in the store or in this import"
                ),
            });
            continue;
        }
        units.insert(code_i64(unit.code));
        accepted.push(u);
        summary.units += 1;
    }
    for u in last_per_key(accepted.into_iter(), |u| u.value.code) {
        let unit = &u.value;
        rows.push(vec![
            Box::new(code_i64(unit.code)),
            Box::new(unit.name.clone()),
            Box::new(unit.level() as i32),
            Box::new(unit.parent().map(code_i64)),
            Box::new(unit.kind.map(|k| k.code())),
            Box::new(unit.urban_rural.map(|k| k.code())),
            Box::new(unit.point.map(|p| p.lon())),
            Box::new(unit.point.map(|p| p.lat())),
            Box::new(
                unit.boundary
                    .as_ref()
                    .map(|b| serde_json::to_string(b).expect("geometry serialises")),
            ),
            Box::new(unit.source_id.clone()),
            Box::new(unit.level_name.clone()),
        ]);
    }
    if !rows.is_empty() {
        tx.batch_execute("CREATE TEMP TABLE stage_units (LIKE admin_units) ON COMMIT DROP")?;
        copy_in(
            tx,
            "stage_units",
            &[
                Type::INT8,
                Type::TEXT,
                Type::INT4,
                Type::INT8,
                Type::TEXT,
                Type::TEXT,
                Type::FLOAT8,
                Type::FLOAT8,
                Type::TEXT,
                Type::TEXT,
                Type::TEXT,
            ],
            &rows,
        )?;
        tx.batch_execute(
            "INSERT INTO admin_units SELECT * FROM stage_units
             ON CONFLICT (code) DO UPDATE SET name = EXCLUDED.name, level = EXCLUDED.level,
               parent_code = EXCLUDED.parent_code, kind = EXCLUDED.kind, urban_rural = EXCLUDED.urban_rural,
               lon = EXCLUDED.lon, lat = EXCLUDED.lat,
               boundary = COALESCE(EXCLUDED.boundary, admin_units.boundary),
               source_id = EXCLUDED.source_id, level_name = EXCLUDED.level_name",
        )?;
    }

    // geometries
    let mut rows: Vec<Vec<Box<dyn ToSql + Sync>>> = Vec::new();
    let accepted = in_known_units(
        &batch.geometries,
        &units,
        crate::FEATURE_CODE,
        |g| g.code,
        missing,
    );
    summary.geometries = accepted.len();
    for g in last_per_key(accepted.into_iter(), |g| g.value.code) {
        let geo = &g.value;
        rows.push(vec![
            Box::new(code_i64(geo.code)),
            Box::new(geo.point.map(|p| p.lon())),
            Box::new(geo.point.map(|p| p.lat())),
            Box::new(
                geo.boundary
                    .as_ref()
                    .map(|b| serde_json::to_string(b).expect("geometry serialises")),
            ),
        ]);
    }
    if !rows.is_empty() {
        tx.batch_execute(
            "CREATE TEMP TABLE stage_geometries (code BIGINT, lon DOUBLE PRECISION, lat DOUBLE PRECISION, boundary TEXT) ON COMMIT DROP",
        )?;
        copy_in(
            tx,
            "stage_geometries",
            &[Type::INT8, Type::FLOAT8, Type::FLOAT8, Type::TEXT],
            &rows,
        )?;
        tx.batch_execute(
            "UPDATE admin_units a SET lon = COALESCE(s.lon, a.lon), lat = COALESCE(s.lat, a.lat),
               boundary = COALESCE(s.boundary, a.boundary)
             FROM stage_geometries s WHERE a.code = s.code",
        )?;
    }

    // population
    let mut rows: Vec<Vec<Box<dyn ToSql + Sync>>> = Vec::new();
    let accepted = in_known_units(&batch.population, &units, "unit_code", |p| p.unit, missing);
    summary.population = accepted.len();
    for p in last_per_key(accepted.into_iter(), |p| (p.value.unit, p.value.year)) {
        let r = &p.value;
        let o = |v: Option<Persons>| -> Box<dyn ToSql + Sync> { Box::new(v.map(|x| x.0 as i64)) };
        rows.push(vec![
            Box::new(code_i64(r.unit)),
            Box::new(r.year.get() as i32),
            Box::new(r.source.code()),
            Box::new(r.resident.0 as i64),
            o(r.male),
            o(r.female),
            o(r.ages.age_0_2),
            o(r.ages.age_0_4),
            o(r.ages.age_0_14),
            o(r.ages.age_15_64),
            o(r.ages.age_60_plus),
            o(r.ages.age_65_plus),
            o(r.live_births),
            o(r.deaths),
        ]);
    }
    if !rows.is_empty() {
        tx.batch_execute("CREATE TEMP TABLE stage_population (LIKE population) ON COMMIT DROP")?;
        let mut types = vec![Type::INT8, Type::INT4, Type::TEXT];
        types.extend(std::iter::repeat_n(Type::INT8, 11));
        copy_in(tx, "stage_population", &types, &rows)?;
        tx.batch_execute(
            "INSERT INTO population SELECT * FROM stage_population
             ON CONFLICT (unit_code, year) DO UPDATE SET source = EXCLUDED.source, resident = EXCLUDED.resident,
               male = EXCLUDED.male, female = EXCLUDED.female, age_0_2 = EXCLUDED.age_0_2,
               age_0_4 = EXCLUDED.age_0_4, age_0_14 = EXCLUDED.age_0_14, age_15_64 = EXCLUDED.age_15_64,
               age_60_plus = EXCLUDED.age_60_plus, age_65_plus = EXCLUDED.age_65_plus,
               live_births = EXCLUDED.live_births, deaths = EXCLUDED.deaths",
        )?;
    }

    // facilities
    let mut rows: Vec<Vec<Box<dyn ToSql + Sync>>> = Vec::new();
    let accepted = in_known_units(&batch.facilities, &units, "unit_code", |f| f.unit, missing);
    summary.facilities = accepted.len();
    for f in &accepted {
        facility_units.insert(f.value.id.to_string(), code_i64(f.value.unit));
    }
    for f in last_per_key(accepted.into_iter(), |f| f.value.id.clone()) {
        let fac = &f.value;
        rows.push(vec![
            Box::new(fac.id.to_string()),
            Box::new(fac.name.clone()),
            Box::new(fac.kind.code()),
            Box::new(fac.specialty.map(|s| s.code())),
            Box::new(fac.grade.code()),
            Box::new(fac.ownership.code()),
            Box::new(fac.for_profit),
            Box::new(code_i64(fac.unit)),
            Box::new(fac.location.map(|p| p.lon())),
            Box::new(fac.location.map(|p| p.lat())),
            Box::new(fac.opened.map(|y| y.get() as i32)),
            Box::new(fac.closed.map(|y| y.get() as i32)),
        ]);
    }
    if !rows.is_empty() {
        tx.batch_execute("CREATE TEMP TABLE stage_facilities (LIKE facilities) ON COMMIT DROP")?;
        copy_in(
            tx,
            "stage_facilities",
            &[
                Type::TEXT,
                Type::TEXT,
                Type::TEXT,
                Type::TEXT,
                Type::TEXT,
                Type::TEXT,
                Type::BOOL,
                Type::INT8,
                Type::FLOAT8,
                Type::FLOAT8,
                Type::INT4,
                Type::INT4,
            ],
            &rows,
        )?;
        tx.batch_execute(
            "INSERT INTO facilities SELECT * FROM stage_facilities
             ON CONFLICT (id) DO UPDATE SET name = EXCLUDED.name, kind = EXCLUDED.kind,
               specialty = EXCLUDED.specialty, grade = EXCLUDED.grade, ownership = EXCLUDED.ownership,
               for_profit = EXCLUDED.for_profit, unit_code = EXCLUDED.unit_code, lon = EXCLUDED.lon,
               lat = EXCLUDED.lat, opened = EXCLUDED.opened, closed = EXCLUDED.closed",
        )?;
    }

    // facility-years: refused where the unit's year is no longer a draft
    let held: HashMap<(i64, i32), ApprovalState> = tx
        .query(
            "SELECT unit_code, year, state FROM approvals WHERE state <> 'draft'",
            &[],
        )?
        .iter()
        .map(|r| Ok(((r.get(0), r.get(1)), state_of(r.get(2))?)))
        .collect::<Result<_, StoreError>>()?;
    let mut fy_rows: Vec<Vec<Box<dyn ToSql + Sync>>> = Vec::new();
    let mut q_rows: Vec<Vec<Box<dyn ToSql + Sync>>> = Vec::new();
    let mut c_rows: Vec<Vec<Box<dyn ToSql + Sync>>> = Vec::new();
    let mut accepted = Vec::new();
    for r in &batch.facility_years {
        let fy = &r.value;
        let Some(unit) = facility_units.get(fy.facility.as_str()) else {
            missing.push(ReferenceError {
                origin: r.origin.clone(),
                column: "facility_id",
                value: fy.facility.to_string(),
                expected: "the id of a facility in the store".into(),
            });
            continue;
        };
        if !held.is_empty() {
            let unit = code_of("facility unit", *unit)?;
            let y = fy.year.get() as i32;
            if let Some((state, at)) = path_up(unit)
                .into_iter()
                .filter_map(|u| held.get(&(code_i64(u), y)).map(|s| (*s, u)))
                .max()
            {
                missing.push(ReferenceError {
                    origin: r.origin.clone(),
                    column: "year",
                    value: fy.year.to_string(),
                    expected: format!(
                        "a year still open for data entry (the data of {at} for {} are {}; an approver can return or unlock them)",
                        fy.year,
                        state.code()
                    ),
                });
                continue;
            }
        }
        accepted.push(r);
        summary.facility_years += 1;
    }
    for r in last_per_key(accepted.into_iter(), |r| {
        (r.value.facility.clone(), r.value.year)
    }) {
        let fy = &r.value;
        let (id, y) = (fy.facility.to_string(), fy.year.get() as i32);
        fy_rows.push(vec![Box::new(id.clone()), Box::new(y)]);
        for (q, v) in &fy.quantities {
            q_rows.push(vec![
                Box::new(id.clone()),
                Box::new(y),
                Box::new(q.code()),
                Box::new(v.0 as i64),
            ]);
        }
        for c in &fy.capabilities {
            c_rows.push(vec![Box::new(id.clone()), Box::new(y), Box::new(c.code())]);
        }
    }
    if !fy_rows.is_empty() {
        tx.batch_execute(
            "CREATE TEMP TABLE stage_fy (facility_id TEXT, year INT) ON COMMIT DROP;
             CREATE TEMP TABLE stage_q (LIKE facility_quantities) ON COMMIT DROP;
             CREATE TEMP TABLE stage_c (LIKE facility_capabilities) ON COMMIT DROP;",
        )?;
        copy_in(tx, "stage_fy", &[Type::TEXT, Type::INT4], &fy_rows)?;
        copy_in(
            tx,
            "stage_q",
            &[Type::TEXT, Type::INT4, Type::TEXT, Type::INT8],
            &q_rows,
        )?;
        copy_in(
            tx,
            "stage_c",
            &[Type::TEXT, Type::INT4, Type::TEXT],
            &c_rows,
        )?;
        tx.batch_execute(
            "INSERT INTO facility_years (facility_id, year) SELECT facility_id, year FROM stage_fy
               ON CONFLICT (facility_id, year) DO UPDATE SET version = facility_years.version + 1;
             DELETE FROM facility_quantities q USING stage_fy s WHERE q.facility_id = s.facility_id AND q.year = s.year;
             DELETE FROM facility_capabilities c USING stage_fy s WHERE c.facility_id = s.facility_id AND c.year = s.year;
             INSERT INTO facility_quantities SELECT * FROM stage_q;
             INSERT INTO facility_capabilities SELECT * FROM stage_c;",
        )?;
    }

    for n in &batch.notes {
        tx.execute(
            "INSERT INTO dataset_notes (kind, zh, en) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING",
            &[&n.kind.code(), &n.zh, &n.en],
        )?;
    }
    for u in &batch.utilisation {
        if !units.contains(&code_i64(u.unit)) {
            missing.push(ReferenceError {
                origin: Origin {
                    file: "(utilisation)".into(),
                    row: 0,
                },
                column: "unit_code",
                value: u.unit.to_string(),
                expected: "the code of a unit in the store".into(),
            });
            continue;
        }
        let (lo, hi) = u.unit.subtree_range();
        let year = i32::from(u.year.get());
        for table in ["utilisation", "utilisation_coverage"] {
            tx.execute(
                &format!("DELETE FROM {table} WHERE year = $1 AND unit_code BETWEEN $2 AND $3"),
                &[&year, &(lo as i64), &(hi as i64)],
            )?;
        }
        for (i, (unit, count, value)) in u.rows().into_iter().enumerate() {
            if !units.contains(&code_i64(unit)) {
                missing.push(ReferenceError {
                    origin: Origin {
                        file: "(utilisation)".into(),
                        row: i + 1,
                    },
                    column: "unit_code",
                    value: unit.to_string(),
                    expected: "the code of a unit in the store".into(),
                });
                continue;
            }
            tx.execute(
                "INSERT INTO utilisation VALUES ($1, $2, $3, $4)",
                &[&code_i64(unit), &year, &count, &(value as i64)],
            )?;
            summary.utilisation += 1;
        }
        for (unit, table) in u.coverage() {
            tx.execute(
                "INSERT INTO utilisation_coverage VALUES ($1, $2, $3) ON CONFLICT DO NOTHING",
                &[&code_i64(unit), &year, &table],
            )?;
        }
    }
    Ok(summary)
}

/// A PostgreSQL error's own message (the server's text, not just "db error").
pub(crate) fn pg_message(e: &postgres::Error) -> String {
    match e.as_db_error() {
        Some(db) => {
            let mut m = format!("{}: {}", db.severity(), db.message());
            if let Some(d) = db.detail() {
                m.push_str(&format!(" ({d})"));
            }
            m
        }
        None => e.to_string(),
    }
}

impl Store for PgStore {
    fn import(&mut self, batch: &ImportBatch) -> Result<ImportSummary, StoreError> {
        self.import_audited(batch, &Actor::cli(), "import", "batch")
    }

    fn load(&self) -> Result<ServiceSystem, StoreError> {
        let mut c = self.conn()?;
        // one consistent view of all tables
        let mut tx = c
            .build_transaction()
            .isolation_level(postgres::IsolationLevel::RepeatableRead)
            .read_only(true)
            .start()?;
        let mut sys = ServiceSystem::default();
        for r in tx.query(
            "SELECT code, name, kind, urban_rural, lon, lat, boundary, source_id, level_name FROM admin_units ORDER BY code",
            &[],
        )? {
            let code = code_of("unit code", r.get(0))?;
            let boundary: Option<String> = r.get(6);
            sys.units.insert(
                code,
                AdminUnit {
                    code,
                    name: r.get(1),
                    kind: parse_opt::<UnitKind>("unit kind", r.get(2))?,
                    urban_rural: parse_opt::<UrbanRuralClass>("urban-rural class", r.get(3))?,
                    point: point("unit point", r.get(4), r.get(5))?,
                    boundary: boundary
                        .map(|b| {
                            serde_json::from_str::<MultiPolygon>(&b)
                                .map_err(|e| corrupt("boundary", e))
                        })
                        .transpose()?,
                    source_id: r.get(7),
                    level_name: r.get(8),
                },
            );
        }
        for r in tx.query("SELECT * FROM population ORDER BY unit_code, year", &[])? {
            let p = |i: usize| r.get::<_, Option<i64>>(i).map(|v| Persons(v as u64));
            let rec = PopulationRecord {
                unit: code_of("population unit", r.get(0))?,
                year: year("population year", r.get::<_, i32>(1) as i64)?,
                source: PopulationSource::parse_label(r.get(2))
                    .map_err(|e| corrupt("population source", e))?,
                resident: Persons(r.get::<_, i64>(3) as u64),
                male: p(4),
                female: p(5),
                ages: AgeBands {
                    age_0_2: p(6),
                    age_0_4: p(7),
                    age_0_14: p(8),
                    age_15_64: p(9),
                    age_60_plus: p(10),
                    age_65_plus: p(11),
                },
                live_births: p(12),
                deaths: p(13),
            };
            sys.population.insert((rec.unit, rec.year), rec);
        }
        for r in tx.query("SELECT * FROM facilities ORDER BY id", &[])? {
            let id = FacilityId::new(r.get(0)).map_err(|e| corrupt("facility id", e))?;
            let opt_year = |i: usize, what: &str| {
                r.get::<_, Option<i32>>(i)
                    .map(|v| year(what, v as i64))
                    .transpose()
            };
            let f = Facility {
                id: id.clone(),
                name: r.get(1),
                kind: InstitutionType::parse_label(r.get(2))
                    .map_err(|e| corrupt("institution type", e))?,
                specialty: parse_opt::<Specialty>("specialty", r.get(3))?,
                grade: Grade::parse(r.get(4)).map_err(|e| corrupt("grade", e))?,
                ownership: Ownership::parse_label(r.get(5)).map_err(|e| corrupt("ownership", e))?,
                for_profit: r.get(6),
                unit: code_of("facility unit", r.get(7))?,
                location: point("facility location", r.get(8), r.get(9))?,
                opened: opt_year(10, "opened")?,
                closed: opt_year(11, "closed")?,
            };
            sys.facilities.insert(id, f);
        }
        for r in tx.query("SELECT facility_id, year FROM facility_years", &[])? {
            let id = FacilityId::new(r.get(0)).map_err(|e| corrupt("facility id", e))?;
            let y = year("resource year", r.get::<_, i32>(1) as i64)?;
            sys.facility_years
                .insert((id.clone(), y), FacilityYear::new(id, y));
        }
        for r in tx.query(
            "SELECT facility_id, year, quantity, value FROM facility_quantities",
            &[],
        )? {
            let id = FacilityId::new(r.get(0)).map_err(|e| corrupt("facility id", e))?;
            let y = year("resource year", r.get::<_, i32>(1) as i64)?;
            let q = Quantity::parse_label(r.get(2)).map_err(|e| corrupt("quantity", e))?;
            sys.facility_years
                .get_mut(&(id, y))
                .ok_or_else(|| corrupt("quantity", "row without its facility-year"))?
                .quantities
                .insert(q, Count(r.get::<_, i64>(3) as u64));
        }
        for r in tx.query(
            "SELECT facility_id, year, capability FROM facility_capabilities",
            &[],
        )? {
            let id = FacilityId::new(r.get(0)).map_err(|e| corrupt("facility id", e))?;
            let y = year("resource year", r.get::<_, i32>(1) as i64)?;
            let cap = Capability::parse_label(r.get(2)).map_err(|e| corrupt("capability", e))?;
            sys.facility_years
                .get_mut(&(id, y))
                .ok_or_else(|| corrupt("capability", "row without its facility-year"))?
                .capabilities
                .insert(cap);
        }
        for r in tx.query("SELECT unit_code, year, count, value FROM utilisation", &[])? {
            let unit = AdminCode::from_u64(r.get::<_, i64>(0) as u64)
                .map_err(|e| corrupt("utilisation unit", e))?;
            let y = year("utilisation year", i64::from(r.get::<_, i32>(1)))?;
            let code: &str = r.get(2);
            let count = UsageCount::parse(code)
                .ok_or_else(|| corrupt("utilisation count", format!("unknown count {code}")))?;
            sys.utilisation
                .add(unit, y, count, r.get::<_, i64>(3) as u64);
        }
        for r in tx.query(
            "SELECT unit_code, year, record_table FROM utilisation_coverage",
            &[],
        )? {
            let unit = AdminCode::from_u64(r.get::<_, i64>(0) as u64)
                .map_err(|e| corrupt("utilisation unit", e))?;
            let y = year("utilisation year", i64::from(r.get::<_, i32>(1)))?;
            let name: &str = r.get(2);
            let table = RecordTable::parse(name)
                .ok_or_else(|| corrupt("record table", format!("unknown table {name}")))?;
            sys.utilisation.coverage.insert((unit, y, table));
        }
        for r in tx.query("SELECT kind, zh, en FROM dataset_notes ORDER BY seq", &[])? {
            let code: &str = r.get(0);
            let kind = NoteKind::from_code(code)
                .ok_or_else(|| corrupt("note kind", format!("unknown kind {code}")))?;
            sys.notes.push(DatasetNote {
                kind,
                zh: r.get(1),
                en: r.get(2),
            });
        }
        tx.commit()?;
        Ok(sys)
    }

    fn counts(&self) -> Result<StoreCounts, StoreError> {
        let mut c = self.conn()?;
        let mut counts = StoreCounts::default();
        for r in c.query("SELECT code, level_name FROM admin_units", &[])? {
            let code = code_of("unit code", r.get(0))?;
            let name: Option<String> = r.get(1);
            counts.add_unit(code, name.as_deref());
        }
        let row = c.query_one(
            "SELECT (SELECT COUNT(*) FROM population), (SELECT COUNT(*) FROM facilities), (SELECT COUNT(*) FROM facility_years)",
            &[],
        )?;
        counts.population = row.get::<_, i64>(0) as usize;
        counts.facilities = row.get::<_, i64>(1) as usize;
        counts.facility_years = row.get::<_, i64>(2) as usize;
        Ok(counts)
    }
}
