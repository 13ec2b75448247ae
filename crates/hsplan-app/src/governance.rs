//! Working together on one store: sessions, the user's scope, data entry with versions
//! and checks, data approval per unit and year, the audit log, and user administration.
//!
//! Everything here needs the shared (PostgreSQL) store; on an SQLite store the functions
//! answer [`AppError::NeedsServerStore`]. Scope is decided here, once, for every front end:
//! a unit or facility outside the caller's subtrees is "not found" (the same answer as for
//! one that does not exist), one inside it but beyond their role is "forbidden".

use crate::{AppError, Result, Snapshot, Workspace};
use hsplan_govern::approval::{self, ApprovalState};
use hsplan_govern::entry;
use hsplan_govern::{Action, ApprovalAction, Grant, Principal, Role};
use hsplan_model::{
    AdminCode, Capability, Count, FacilityId, FacilityYear, Labelled, Quantity, ServiceSystem, Year,
};
use hsplan_store::PgStore;
pub use hsplan_store::postgres::{Actor, now_ms};
use hsplan_store::postgres::{ApprovalRecord, AuditQuery, SaveRefusal};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, HashMap};
use utoipa::ToSchema;

/// How long a session lasts.
pub const SESSION_HOURS: i64 = 12;
/// Largest count a form accepts for one quantity (a typo guard, not a standard).
pub const MAX_COUNT: i64 = 10_000_000;

pub(crate) fn store(ws: &Workspace) -> Result<&PgStore> {
    ws.server_store().ok_or_else(|| {
        AppError::NeedsServerStore(
            "accounts, data entry, approval and the audit log need the shared store: start with --db postgres://…".into(),
        )
    })
}

pub(crate) fn actor(p: &Principal, address: &str) -> Actor {
    Actor {
        name: p.user.clone(),
        address: address.to_string(),
    }
}

// ---------------------------------------------------------------- sessions

/// Credentials.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct LoginRequest {
    /// User name.
    #[schema(min_length = 1, max_length = 64)]
    pub user: String,
    /// Password.
    #[schema(min_length = 1, max_length = 1024)]
    pub password: String,
}

/// A new session. The token is shown once (a bearer token for API clients; the web app
/// gets it as an HTTP-only cookie instead and sends `csrf` with every change).
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct LoginResult {
    /// User name.
    pub user: String,
    /// Session token (bearer).
    pub token: String,
    /// Token to send as `X-CSRF-Token` with changes made under the cookie.
    pub csrf: String,
    /// When the session ends (ms since 1970).
    pub expires_ms: i64,
}

/// Checks credentials and opens a session. A wrong user and a wrong password get the
/// same answer.
pub fn login(ws: &Workspace, req: &LoginRequest, address: &str) -> Result<LoginResult> {
    let pg = store(ws)?;
    let wrong = || AppError::Unauthenticated("wrong user name or password".into());
    if req.user.len() > 64 || req.password.len() > 1024 {
        return Err(wrong());
    }
    let Some(hash) = pg.password_hash(&req.user)? else {
        // spend the same time as a real check, so timing does not tell who exists
        let _ = hsplan_govern::secrets::verify_password(DUMMY_HASH, &req.password);
        return Err(wrong());
    };
    if !hsplan_govern::secrets::verify_password(&hash, &req.password) {
        return Err(wrong());
    }
    let token = hsplan_govern::secrets::new_token().map_err(|e| AppError::Store(e.to_string()))?;
    let csrf = hsplan_govern::secrets::new_token().map_err(|e| AppError::Store(e.to_string()))?;
    let expires_ms = hsplan_store::postgres::now_ms() + SESSION_HOURS * 3_600_000;
    pg.create_session(
        &req.user,
        &hsplan_govern::secrets::token_digest(&token),
        &csrf,
        expires_ms,
        address,
    )?;
    Ok(LoginResult {
        user: req.user.clone(),
        token,
        csrf,
        expires_ms,
    })
}

/// An argon2id hash of a random string, checked against when the user does not exist.
const DUMMY_HASH: &str = "$argon2id$v=19$m=19456,t=2,p=1$c29tZXNhbHRzb21lc2FsdA$0u7iKx4yk0vVAbfwF2qpmKpgwDl6GkLIbLvWkwUzLeg";

/// The session a token opens: its user with their grants, and its CSRF token.
pub fn session(ws: &Workspace, token: &str) -> Result<Option<(Principal, String)>> {
    let pg = store(ws)?;
    if token.is_empty() || token.len() > 128 {
        return Ok(None);
    }
    Ok(pg
        .session(&hsplan_govern::secrets::token_digest(token))?
        .map(|s| (s.principal, s.csrf)))
}

/// Ends a session.
pub fn logout(ws: &Workspace, token: &str, address: &str) -> Result<()> {
    store(ws)?.end_session(&hsplan_govern::secrets::token_digest(token), address)?;
    Ok(())
}

/// A grant as shown.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct GrantView {
    /// admin, planner, data_entry, approver or viewer.
    pub role: String,
    /// Unit code at the top of the subtree.
    pub unit: String,
    /// Its name.
    pub unit_name: String,
}

/// Who is signed in and what they may do.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Me {
    /// User name.
    pub user: String,
    /// Grants.
    pub grants: Vec<GrantView>,
    /// Actions allowed somewhere in scope (read, analyse, enter_data, submit, approve…).
    pub actions: Vec<String>,
    /// The unit the web app opens on (the top of the first readable subtree).
    pub home: Option<String>,
}

/// The caller's own account, on their scoped snapshot.
pub fn me(scoped: &Snapshot, p: &Principal) -> Me {
    let name = |c: AdminCode| {
        scoped
            .sys
            .units
            .get(&c)
            .map(|u| u.name.clone())
            .unwrap_or_default()
    };
    Me {
        user: p.user.clone(),
        grants: p
            .grants
            .iter()
            .map(|g| GrantView {
                role: g.role.code().into(),
                unit: g.unit.to_string(),
                unit_name: name(g.unit),
            })
            .collect(),
        actions: Action::ALL
            .iter()
            .filter(|a| p.can_somewhere(**a))
            .map(|a| action_code(*a).to_string())
            .collect(),
        home: p.roots(Action::Read).first().map(ToString::to_string),
    }
}

fn action_code(a: Action) -> &'static str {
    match a {
        Action::Read => "read",
        Action::Analyse => "analyse",
        Action::EditPlans => "edit_plans",
        Action::ImportRegister => "import_register",
        Action::EnterData => "enter_data",
        Action::Submit => "submit",
        Action::Approve => "approve",
        Action::Unlock => "unlock",
        Action::ReadAudit => "read_audit",
        Action::Administer => "administer",
    }
}

/// Whether the caller covers the whole store (every top-level unit): region-wide inputs
/// such as the siting folder and its scenarios are theirs to use.
pub fn covers_everything(full: &ServiceSystem, p: &Principal, action: Action) -> bool {
    full.units
        .keys()
        .filter(|c| c.parent().is_none_or(|up| !full.units.contains_key(&up)))
        .all(|top| p.can(action, *top))
}

// ---------------------------------------------------------------- data entry

/// One quantity on the form.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct FormQuantity {
    /// Code (beds, licensed_doctors…).
    pub code: String,
    /// 中文.
    pub zh: String,
    /// English.
    pub en: String,
    /// Stored value (None = not reported).
    pub value: Option<u64>,
    /// The year before's value, for comparison.
    pub previous: Option<u64>,
    /// The whole this is part of (其中), if any.
    pub part_of: Option<String>,
}

/// One capability on the form.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct FormCapability {
    /// Code.
    pub code: String,
    /// 中文.
    pub zh: String,
    /// English.
    pub en: String,
    /// Present this year.
    pub present: bool,
}

/// A facility's year as a form.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct FacilityYearForm {
    /// Facility id.
    pub facility: String,
    /// Its name.
    pub name: String,
    /// Its unit.
    pub unit: String,
    /// The unit's name.
    pub unit_name: String,
    /// Year.
    pub year: u16,
    /// Version to send back with a save (0 = not stored yet).
    pub version: i64,
    /// Quantities in catalogue order.
    pub quantities: Vec<FormQuantity>,
    /// Capabilities in catalogue order.
    pub capabilities: Vec<FormCapability>,
    /// The governing approval state (draft, submitted, approved, locked).
    pub approval: String,
    /// Whether the data may change now (draft) and the caller may enter data here.
    pub editable: bool,
}

/// The facility in the caller's scope, or "not found" (also when it exists elsewhere).
fn scoped_facility<'a>(
    scoped: &'a Snapshot,
    id: &str,
) -> Result<(&'a hsplan_model::Facility, FacilityId)> {
    let fid =
        FacilityId::new(id.trim()).map_err(|e| AppError::invalid("facility", e.to_string()))?;
    let f = scoped
        .sys
        .facilities
        .get(&fid)
        .ok_or_else(|| AppError::NotFound(format!("facility {}", fid)))?;
    Ok((f, fid))
}

fn governing(records: &[ApprovalRecord], unit: AdminCode, year: Year) -> ApprovalState {
    approval::effective(
        records
            .iter()
            .filter(|r| r.year == year && hsplan_govern::roles::within(unit, r.unit))
            .map(|r| r.state),
    )
}

/// The form for a facility's year (current values, the year before, version, state).
pub fn form(ws: &Workspace, p: &Principal, facility: &str, year: i64) -> Result<FacilityYearForm> {
    let pg = store(ws)?;
    let scoped = ws.snapshot_for(Some(p));
    let (f, fid) = scoped_facility(&scoped, facility)?;
    let year = crate::parse_year("year", year)?;
    let stored = pg.facility_year(&fid, year)?;
    let (current, version) = match &stored {
        Some((fy, v)) => (Some(fy), *v),
        None => (None, 0),
    };
    let previous = Year::new(year.get() as i64 - 1)
        .ok()
        .and_then(|py| scoped.sys.facility_years.get(&(fid.clone(), py)));
    let state = governing(&pg.approvals()?, f.unit, year);
    Ok(FacilityYearForm {
        facility: fid.to_string(),
        name: f.name.clone(),
        unit: f.unit.to_string(),
        unit_name: scoped
            .sys
            .units
            .get(&f.unit)
            .map(|u| u.name.clone())
            .unwrap_or_default(),
        year: year.get(),
        version,
        quantities: Quantity::all()
            .iter()
            .map(|q| FormQuantity {
                code: q.code().into(),
                zh: q.zh().into(),
                en: q.en().into(),
                value: current.and_then(|c| c.get(*q)).map(|c| c.0),
                previous: previous.and_then(|c| c.get(*q)).map(|c| c.0),
                part_of: q.part_of().map(|w| w.code().to_string()),
            })
            .collect(),
        capabilities: Capability::all()
            .iter()
            .map(|c| FormCapability {
                code: c.code().into(),
                zh: c.zh().into(),
                en: c.en().into(),
                present: current.is_some_and(|fy| fy.capabilities.contains(c)),
            })
            .collect(),
        approval: state.code().into(),
        editable: state.editable() && p.can(Action::EnterData, f.unit),
    })
}

/// A save of the form.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SaveRequest {
    /// The version the form was read at (0 = a new record).
    #[schema(minimum = 0)]
    #[serde(deserialize_with = "crate::whole::number")]
    pub version: i64,
    /// Reported quantities by code (absent = not reported).
    #[serde(default, deserialize_with = "crate::whole::map")]
    pub quantities: BTreeMap<String, i64>,
    /// Capabilities present, by code.
    #[serde(default)]
    pub capabilities: Vec<String>,
    /// Save even though values jumped against the year before.
    #[serde(default)]
    pub confirm_jumps: bool,
}

/// A value that changed a lot since the year before.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct JumpView {
    /// Quantity code.
    pub quantity: String,
    /// The year before.
    pub previous: u64,
    /// Entered.
    pub value: u64,
    /// Relative change in percent (None: from zero).
    pub change_percent: Option<f64>,
}

/// A field that someone else changed since the form was read.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ChangedField {
    /// Quantity or capability code.
    pub field: String,
    /// What is stored now.
    pub stored: Option<String>,
    /// What this save would have written.
    pub yours: Option<String>,
}

/// What happened to a save.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[serde(tag = "outcome", rename_all = "snake_case")]
pub enum SaveOutcome {
    /// Stored; the record's new version.
    Saved {
        /// New version.
        version: i64,
    },
    /// Not stored: values jumped against the year before; send again with
    /// `confirm_jumps` to store them.
    ConfirmJumps {
        /// The jumps.
        jumps: Vec<JumpView>,
    },
    /// Not stored: someone saved the record since the form was read. Nothing is lost:
    /// the stored record and this save's values are both here.
    Stale {
        /// The stored version (read again at this version to save).
        version: i64,
        /// Fields that differ between the stored record and this save.
        changes: Vec<ChangedField>,
    },
}

fn parse_entry(fid: &FacilityId, year: Year, req: &SaveRequest) -> Result<FacilityYear> {
    let mut fy = FacilityYear::new(fid.clone(), year);
    let mut problems = Vec::new();
    for (code, v) in &req.quantities {
        let field = format!("quantities.{code}");
        match Quantity::parse_label(code) {
            Err(_) => problems.push(format!("{field}: unknown quantity `{code}`")),
            Ok(_) if *v < 0 => {
                problems.push(format!("{field}: {v} is negative; counts are 0 or more"))
            }
            Ok(_) if *v > MAX_COUNT => problems.push(format!(
                "{field}: {v} is more than {MAX_COUNT}; check the number"
            )),
            Ok(q) => {
                fy.quantities.insert(q, Count(*v as u64));
            }
        }
    }
    for (i, code) in req.capabilities.iter().enumerate() {
        match Capability::parse_label(code) {
            Ok(c) => {
                fy.capabilities.insert(c);
            }
            Err(_) => problems.push(format!("capabilities[{i}]: unknown capability `{code}`")),
        }
    }
    if req.version < 0 {
        problems.push("version: must be 0 or more".into());
    }
    if problems.is_empty() {
        Ok(fy)
    } else {
        Err(AppError::Input { problems, more: 0 })
    }
}

fn differences(stored: Option<&FacilityYear>, yours: &FacilityYear) -> Vec<ChangedField> {
    let empty = FacilityYear::new(yours.facility.clone(), yours.year);
    let stored = stored.unwrap_or(&empty);
    let mut out = Vec::new();
    for q in Quantity::all() {
        let (a, b) = (stored.get(*q), yours.get(*q));
        if a != b {
            out.push(ChangedField {
                field: q.code().into(),
                stored: a.map(|c| c.0.to_string()),
                yours: b.map(|c| c.0.to_string()),
            });
        }
    }
    for c in Capability::all() {
        let (a, b) = (
            stored.capabilities.contains(c),
            yours.capabilities.contains(c),
        );
        if a != b {
            let yes_no = |x: bool| Some(if x { "yes" } else { "no" }.to_string());
            out.push(ChangedField {
                field: c.code().into(),
                stored: yes_no(a),
                yours: yes_no(b),
            });
        }
    }
    out
}

/// Saves a facility's year typed into a form: in scope, with the data-entry role there,
/// while the unit's year is a draft, at the version it was read at, with parts ≤ whole,
/// and with jumps against the year before confirmed. Recorded in the audit log.
pub fn save(
    ws: &Workspace,
    p: &Principal,
    address: &str,
    facility: &str,
    year: i64,
    req: &SaveRequest,
) -> Result<SaveOutcome> {
    let pg = store(ws)?;
    let scoped = ws.published_for(Some(p));
    let (f, fid) = scoped_facility(&scoped, facility)?;
    if !p.can(Action::EnterData, f.unit) {
        return Err(AppError::Forbidden(format!(
            "entering data for {} needs the data-entry role on its unit or above",
            fid
        )));
    }
    let year = crate::parse_year("year", year)?;
    let fy = parse_entry(&fid, year, req)?;
    let previous = Year::new(year.get() as i64 - 1)
        .ok()
        .and_then(|py| scoped.sys.facility_years.get(&(fid.clone(), py)));
    let check = entry::check(&fy, previous, entry::DEFAULT_JUMP);
    if !check.errors.is_empty() {
        return Err(AppError::Input {
            problems: check
                .errors
                .iter()
                .map(|(field, m)| format!("quantities.{field}: {m}"))
                .collect(),
            more: 0,
        });
    }
    if !check.jumps.is_empty() && !req.confirm_jumps {
        return Ok(SaveOutcome::ConfirmJumps {
            jumps: check
                .jumps
                .iter()
                .map(|j| JumpView {
                    quantity: j.quantity.clone(),
                    previous: j.previous,
                    value: j.value,
                    change_percent: j
                        .change
                        .is_finite()
                        .then(|| (j.change * 1000.0).round() / 10.0),
                })
                .collect(),
        });
    }
    let who = actor(p, address);
    ws.write_facility_year(|| match pg.save_facility_year(&fy, req.version, &who)? {
        Ok(version) => Ok((SaveOutcome::Saved { version }, Some(fy.clone()))),
        Err(SaveRefusal::Stale { version, current }) => Ok((
            SaveOutcome::Stale {
                version,
                changes: differences(current.as_ref(), &fy),
            },
            None,
        )),
        Err(SaveRefusal::NotEditable { state, unit }) => Err(AppError::Conflict(format!(
            "the data of {unit} for {year} are {}: ask an approver to return or unlock them",
            state.code()
        ))),
        Err(SaveRefusal::UnknownFacility) => Err(AppError::NotFound(format!("facility {fid}"))),
    })
}

// ---------------------------------------------------------------- approval

/// A unit's year on the approval board.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ApprovalView {
    /// Unit code.
    pub unit: String,
    /// Its name.
    pub unit_name: String,
    /// Year.
    pub year: u16,
    /// The unit's own recorded state (draft when none).
    pub state: String,
    /// The state that governs its data (its own or a higher unit's, whichever is further).
    pub governing: String,
    /// Last changed by.
    pub changed_by: Option<String>,
    /// Last changed (ms since 1970).
    pub changed_ms: Option<i64>,
    /// Reason of the last return or unlock.
    pub reason: Option<String>,
    /// Steps the caller may take now (submit, return, approve, lock, unlock).
    pub steps: Vec<String>,
    /// Facilities open in the year below the unit, and how many have that year's data.
    pub facilities: usize,
    /// Facilities with data for the year.
    pub reported: usize,
}

fn view(
    scoped: &Snapshot,
    records: &[ApprovalRecord],
    p: &Principal,
    unit: AdminCode,
    year: Year,
) -> ApprovalView {
    let own = records.iter().find(|r| r.unit == unit && r.year == year);
    let state = own.map_or(ApprovalState::Draft, |r| r.state);
    let steps = ApprovalAction::ALL
        .into_iter()
        .filter(|a| p.can(a.needs(), unit) && a.apply(state, Some("-")).is_ok())
        .map(|a| a.code().to_string())
        .collect();
    let (mut facilities, mut reported) = (0, 0);
    for f in scoped.sys.facilities.values() {
        if hsplan_govern::roles::within(f.unit, unit) && f.is_open_in(year) {
            facilities += 1;
            if scoped
                .sys
                .facility_years
                .contains_key(&(f.id.clone(), year))
            {
                reported += 1;
            }
        }
    }
    ApprovalView {
        unit: unit.to_string(),
        unit_name: scoped
            .sys
            .units
            .get(&unit)
            .map(|u| u.name.clone())
            .unwrap_or_default(),
        year: year.get(),
        state: state.code().into(),
        governing: governing(records, unit, year).code().into(),
        changed_by: own.map(|r| r.changed_by.clone()),
        changed_ms: own.map(|r| r.changed_ms),
        reason: own.and_then(|r| r.reason.clone()),
        steps,
        facilities,
        reported,
    }
}

/// The approval board of a unit and its direct sub-units for a year.
pub fn board(ws: &Workspace, p: &Principal, unit: &str, year: i64) -> Result<Vec<ApprovalView>> {
    let pg = store(ws)?;
    let scoped = ws.snapshot_for(Some(p));
    let unit = crate::known_unit(&scoped.sys, "unit", unit)?.code;
    let year = crate::parse_year("year", year)?;
    let records = pg.approvals()?;
    let mut out = vec![view(&scoped, &records, p, unit, year)];
    for child in scoped.sys.children(unit) {
        out.push(view(&scoped, &records, p, child.code, year));
    }
    Ok(out)
}

/// A workflow step's details.
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct StepRequest {
    /// Why (required to return or unlock).
    #[schema(max_length = 2000)]
    pub reason: Option<String>,
}

/// Takes one approval step on a unit's year (submit, return, approve, lock, unlock).
pub fn step(
    ws: &Workspace,
    p: &Principal,
    address: &str,
    unit: &str,
    year: i64,
    action: &str,
    req: &StepRequest,
) -> Result<ApprovalView> {
    let pg = store(ws)?;
    let scoped = ws.snapshot_for(Some(p));
    let unit = crate::known_unit(&scoped.sys, "unit", unit)?.code;
    let year = crate::parse_year("year", year)?;
    let action = ApprovalAction::parse(action).ok_or_else(|| {
        AppError::invalid("action", "one of submit, return, approve, lock, unlock")
    })?;
    if req
        .reason
        .as_ref()
        .is_some_and(|r| r.chars().count() > 2000)
    {
        return Err(AppError::invalid_said(
            "reason",
            "at most 2000 characters",
            "至多 2000 个字符",
        ));
    }
    if !p.can(action.needs(), unit) {
        return Err(AppError::Forbidden(format!(
            "{} on {unit} needs another role there",
            action.code()
        )));
    }
    pg.change_approval(
        unit,
        year,
        action,
        req.reason.as_deref(),
        &actor(p, address),
    )?;
    Ok(view(&scoped, &pg.approvals()?, p, unit, year))
}

/// The snapshot with only approved data: facility-years whose unit's year is approved or
/// locked (by the unit itself or one above it); the rest count as not reported.
pub fn approved_only(ws: &Workspace, base: &Snapshot) -> Result<Snapshot> {
    let records = store(ws)?.approvals()?;
    let mut sys = base.sys.clone();
    let mut cache: HashMap<(AdminCode, Year), bool> = HashMap::new();
    sys.facility_years.retain(|(id, year), _| {
        let Some(f) = base.sys.facilities.get(id) else {
            return false;
        };
        *cache
            .entry((f.unit, *year))
            .or_insert_with(|| governing(&records, f.unit, *year).approved())
    });
    Ok(Snapshot {
        counts: crate::counts_of(&sys),
        sys,
        version: base.version,
    })
}

// ---------------------------------------------------------------- audit

/// One audit record as shown.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct AuditEntry {
    /// Position in the log.
    pub seq: i64,
    /// When (UTC, RFC 3339).
    pub at: String,
    /// Who.
    pub actor: String,
    /// From where.
    pub address: String,
    /// What kind of change.
    pub action: String,
    /// What was changed.
    pub target: String,
    /// Before (JSON).
    pub before: String,
    /// After (JSON).
    pub after: String,
    /// The record's hash (the chain's link).
    pub hash: String,
}

/// UTC time of milliseconds since 1970, as RFC 3339.
pub fn rfc3339(ms: i64) -> String {
    let secs = ms.div_euclid(1000);
    let (days, rem) = (secs.div_euclid(86_400), secs.rem_euclid(86_400));
    // civil date from days since 1970-01-01 (H. Hinnant's algorithm)
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    format!(
        "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}.{:03}Z",
        rem / 3600,
        rem % 3600 / 60,
        rem % 60,
        ms.rem_euclid(1000)
    )
}

/// Audit records the caller may read (about units in their audit scope; records about
/// no unit — logins, user administration — only for an admin of the whole store).
pub fn audit(ws: &Workspace, p: &Principal, after: i64, limit: i64) -> Result<Vec<AuditEntry>> {
    let pg = store(ws)?;
    if !p.can_somewhere(Action::ReadAudit) {
        return Err(AppError::Forbidden(
            "reading the audit log needs the planner, approver or admin role".into(),
        ));
    }
    if !(1..=10_000).contains(&limit) {
        return Err(AppError::invalid_said(
            "limit",
            "between 1 and 10000",
            "应在 1 至 10000 之间",
        ));
    }
    let full = ws.snapshot();
    let within = if covers_everything(&full.sys, p, Action::Administer) {
        None
    } else {
        Some(p.roots(Action::ReadAudit))
    };
    Ok(pg
        .audit_records(&AuditQuery {
            after: after.max(0),
            limit,
            within,
        })?
        .into_iter()
        .map(AuditEntry::from)
        .collect())
}

impl From<hsplan_govern::AuditRecord> for AuditEntry {
    fn from(r: hsplan_govern::AuditRecord) -> Self {
        AuditEntry {
            seq: r.seq,
            at: rfc3339(r.at_ms),
            actor: r.actor,
            address: r.address,
            action: r.action,
            target: r.target,
            before: r.before,
            after: r.after,
            hash: r.hash,
        }
    }
}

/// The whole audit log as CSV (for the command line: no scope applies).
pub fn audit_csv_all(ws: &Workspace) -> Result<String> {
    let pg = store(ws)?;
    let mut entries: Vec<AuditEntry> = Vec::new();
    loop {
        let batch = pg.audit_records(&AuditQuery {
            after: entries.last().map_or(0, |e| e.seq),
            limit: 10_000,
            within: None,
        })?;
        if batch.is_empty() {
            break;
        }
        entries.extend(batch.into_iter().map(AuditEntry::from));
    }
    Ok(audit_csv(&entries))
}

/// Audit entries as CSV (cells that a spreadsheet would run as formulas are quoted as text).
pub fn audit_csv(entries: &[AuditEntry]) -> String {
    let cell = |s: &str| {
        let s = hsplan_io::table::defuse_formula(s).into_owned();
        if s.contains([',', '"', '\n', '\r']) {
            format!("\"{}\"", s.replace('"', "\"\""))
        } else {
            s
        }
    };
    let mut out = String::from("seq,at,actor,address,action,target,before,after,hash\n");
    for e in entries {
        let row = [
            e.seq.to_string(),
            e.at.clone(),
            e.actor.clone(),
            e.address.clone(),
            e.action.clone(),
            e.target.clone(),
            e.before.clone(),
            e.after.clone(),
            e.hash.clone(),
        ];
        out.push_str(&row.iter().map(|c| cell(c)).collect::<Vec<_>>().join(","));
        out.push('\n');
    }
    out
}

/// The whole chain verified.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct AuditVerification {
    /// Records verified.
    pub records: u64,
}

/// Verifies the audit chain; a break is an error naming the first broken record.
pub fn verify_audit(ws: &Workspace) -> Result<AuditVerification> {
    match store(ws)?.verify_audit()? {
        Ok(records) => Ok(AuditVerification { records }),
        Err(b) => Err(AppError::Conflict(b.to_string())),
    }
}

// ---------------------------------------------------------------- users

/// A user as listed.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct UserView {
    /// Name.
    pub name: String,
    /// Refused at login.
    pub disabled: bool,
    /// Grants.
    pub grants: Vec<GrantView>,
}

fn check_user_name(name: &str) -> Result<()> {
    let n = name.chars().count();
    if n == 0 || n > 64 || name.chars().any(|c| c.is_control() || c.is_whitespace()) {
        return Err(AppError::invalid(
            "user",
            "1 to 64 characters, no spaces or control characters",
        ));
    }
    Ok(())
}

fn password_hash(password: &str) -> Result<String> {
    hsplan_govern::secrets::hash_password(password)
        .map_err(|e| AppError::invalid("password", e.to_string()))
}

/// Adds a user.
pub fn add_user(ws: &Workspace, name: &str, password: &str, by: &Actor) -> Result<()> {
    check_user_name(name)?;
    store(ws)?.add_user(name, &password_hash(password)?, by)?;
    Ok(())
}

/// Sets a user's password (ending their sessions).
pub fn set_password(ws: &Workspace, name: &str, password: &str, by: &Actor) -> Result<()> {
    store(ws)?.set_password(name, &password_hash(password)?, by)?;
    Ok(())
}

fn parse_grant(ws: &Workspace, role: &str, unit: &str) -> Result<Grant> {
    let role = Role::parse(role).ok_or_else(|| {
        AppError::invalid(
            "role",
            "one of admin, planner, data_entry, approver, viewer",
        )
    })?;
    let unit = crate::known_unit(&ws.snapshot().sys, "unit", unit)?.code;
    Ok(Grant { role, unit })
}

/// Grants a role on a unit's subtree (the unit must be in the store).
pub fn grant(ws: &Workspace, name: &str, role: &str, unit: &str, by: &Actor) -> Result<()> {
    let g = parse_grant(ws, role, unit)?;
    store(ws)?.grant(name, g, by)?;
    Ok(())
}

/// Revokes a grant.
pub fn revoke(ws: &Workspace, name: &str, role: &str, unit: &str, by: &Actor) -> Result<()> {
    let role_v = Role::parse(role).ok_or_else(|| {
        AppError::invalid(
            "role",
            "one of admin, planner, data_entry, approver, viewer",
        )
    })?;
    let unit = crate::parse_code("unit", unit)?;
    store(ws)?.revoke(name, Grant { role: role_v, unit }, by)?;
    Ok(())
}

/// Every user with their grants.
pub fn users(ws: &Workspace) -> Result<Vec<UserView>> {
    let full = ws.snapshot();
    Ok(store(ws)?
        .users()?
        .into_iter()
        .map(|u| UserView {
            name: u.name,
            disabled: u.disabled,
            grants: u
                .grants
                .iter()
                .map(|g| GrantView {
                    role: g.role.code().into(),
                    unit: g.unit.to_string(),
                    unit_name: full
                        .sys
                        .units
                        .get(&g.unit)
                        .map(|u| u.name.clone())
                        .unwrap_or_default(),
                })
                .collect(),
        })
        .collect())
}

// ---------------------------------------------------------------- uploads in scope

/// What an upload of `kind` needs: registers (units, boundaries, population, facilities)
/// the planner role, facility resources the data-entry role.
pub fn upload_action(kind: crate::data::UploadKind) -> Action {
    match kind {
        crate::data::UploadKind::Resources => Action::EnterData,
        _ => Action::ImportRegister,
    }
}

/// Refuses an upload with any record outside the caller's subtrees for `action`,
/// located like any other input problem (and worded like an unknown unit, so nothing is
/// told about what lies outside).
pub fn check_batch_scope(
    full: &ServiceSystem,
    p: &Principal,
    action: Action,
    batch: &hsplan_store::ImportBatch,
) -> Result<()> {
    let roots = p.roots(action);
    let inside = |c: AdminCode| roots.iter().any(|r| hsplan_govern::roles::within(c, *r));
    let mut problems = Vec::new();
    let mut out = |origin: &hsplan_model::Origin, column: &str, value: String| {
        problems.push(format!(
            "{}, row {}, column `{column}`: value `{value}`: expected a unit in your scope",
            origin.file, origin.row
        ));
    };
    for u in &batch.units {
        if !inside(u.value.code) {
            out(&u.origin, "code", u.value.code.to_string());
        }
    }
    for g in &batch.geometries {
        if !inside(g.value.code) {
            out(&g.origin, "code", g.value.code.to_string());
        }
    }
    for r in &batch.population {
        if !inside(r.value.unit) {
            out(&r.origin, "unit_code", r.value.unit.to_string());
        }
    }
    for f in &batch.facilities {
        if !inside(f.value.unit) {
            out(&f.origin, "unit_code", f.value.unit.to_string());
        }
    }
    let batch_units: HashMap<&FacilityId, AdminCode> = batch
        .facilities
        .iter()
        .map(|f| (&f.value.id, f.value.unit))
        .collect();
    for r in &batch.facility_years {
        let unit = batch_units
            .get(&r.value.facility)
            .copied()
            .or_else(|| full.facilities.get(&r.value.facility).map(|f| f.unit));
        if !unit.is_some_and(inside) {
            out(&r.origin, "facility_id", r.value.facility.to_string());
        }
    }
    if problems.is_empty() {
        Ok(())
    } else {
        let more = problems.len().saturating_sub(50);
        problems.truncate(50);
        Err(AppError::Input { problems, more })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn times_are_utc_rfc3339() {
        assert_eq!(rfc3339(0), "1970-01-01T00:00:00.000Z");
        assert_eq!(rfc3339(1_796_300_000_123), "2026-12-03T12:13:20.123Z");
        assert_eq!(rfc3339(951_782_400_000), "2000-02-29T00:00:00.000Z");
    }

    #[test]
    fn audit_csv_neutralises_formulas() {
        let e = AuditEntry {
            seq: 1,
            at: "t".into(),
            actor: "=HYPERLINK(\"x\")".into(),
            address: "a".into(),
            action: "x".into(),
            target: "y".into(),
            before: "null".into(),
            after: "{\"a\":1,\"b\":2}".into(),
            hash: "h".into(),
        };
        let csv = audit_csv(&[e]);
        assert!(csv.contains("\"'=HYPERLINK(\"\"x\"\")\""), "{csv}");
        assert!(csv.contains("\"{\"\"a\"\":1,\"\"b\"\":2}\""), "{csv}");
    }
}
