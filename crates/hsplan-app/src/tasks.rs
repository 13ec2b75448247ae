//! The task ledger as a closed loop: a plan's tasks (重点任务, with their lead and
//! participating responsible units) and projects (专栏) as work items with deadlines;
//! progress updates (date, status, text, an attachment) from the units responsible; the
//! overdue list and a status board per responsible unit; beside each task, the indicators
//! and text targets it serves.
//!
//! The board itself needs only the plan; updates live in the shared (PostgreSQL) store.

use crate::{AppError, Result, Workspace};
use hsplan_govern::{Action, Principal};
use hsplan_plan::Plan;
use hsplan_store::postgres::WorkUpdate;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use utoipa::ToSchema;

/// Largest attachment accepted.
pub const MAX_ATTACHMENT: usize = 5 * 1024 * 1024;

/// The statuses an update may report.
pub const STATUSES: [&str; 4] = ["not_started", "in_progress", "done", "blocked"];

/// An indicator or text target a task serves.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Served {
    /// Indicator or target id.
    pub id: String,
    /// 中文.
    pub name_zh: String,
    /// English.
    pub name_en: String,
    /// The target as published (text targets), if any.
    pub target: Option<String>,
    /// Its evaluation status for the plan's jurisdiction in the year of `TaskBoard::year`
    /// (achieved, on_track, lagging, off_track, regressing, no_data), when a library formula
    /// computes it and the reader may see the whole jurisdiction.
    pub status: Option<String>,
    /// Its value in that year, when computed.
    pub actual: Option<f64>,
    /// Whether a formula computes it: evaluated, waits_for_records, not_computable (see
    /// `hsplan plan targets`).
    pub state: Option<crate::targets::TargetState>,
    /// Why it is not evaluated, when it is not.
    pub reason: Option<crate::targets::Reason>,
}

/// One progress update as shown.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct UpdateView {
    /// Id.
    pub id: i64,
    /// The date reported for.
    pub reported_on: String,
    /// Recorded at (UTC, RFC 3339).
    pub recorded_at: String,
    /// Who.
    pub user: String,
    /// For which responsible unit.
    pub org: String,
    /// not_started, in_progress, done or blocked.
    pub status: String,
    /// What happened.
    pub text: String,
    /// Attachment file name (download at …/updates/{id}/attachment).
    pub attachment: Option<String>,
}

/// A task or project on the board.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct WorkItem {
    /// `task:7` or `project:专栏七:3`.
    pub id: String,
    /// task or project.
    pub kind: String,
    /// Published number.
    pub number: String,
    /// Section or table.
    pub section: String,
    /// Title.
    pub title: String,
    /// Full text as published.
    pub text: String,
    /// The lead responsible unit (None: not published; assign through updates' units).
    pub lead: Option<String>,
    /// Participating units.
    pub participants: Vec<String>,
    /// Deadline (YYYY-12-31 of the last target or implementation year).
    pub deadline: String,
    /// Latest reported status (not_started when none).
    pub status: String,
    /// Past its deadline and not done.
    pub overdue: bool,
    /// The latest update.
    pub latest: Option<UpdateView>,
    /// Number of updates.
    pub updates: usize,
    /// Indicators and text targets the item serves.
    pub serves: Vec<Served>,
    /// The status its targets give it, when it serves at least one and every one is
    /// evaluated: the worst of theirs (no_data when any has no data).
    pub derived_status: Option<String>,
}

/// Tasks of one responsible unit.
#[derive(Debug, Clone, Default, Serialize, ToSchema)]
pub struct UnitStatus {
    /// The unit.
    pub org: String,
    /// Items it leads.
    pub leads: usize,
    /// Items it takes part in.
    pub participates: usize,
    /// Of those it leads: done.
    pub done: usize,
    /// In progress.
    pub in_progress: usize,
    /// Not started.
    pub not_started: usize,
    /// Blocked.
    pub blocked: usize,
    /// Overdue.
    pub overdue: usize,
}

/// A plan's ledger as a status board.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct TaskBoard {
    /// Plan id.
    pub plan: String,
    /// Today (UTC) as used for deadlines.
    pub today: String,
    /// Every task and project.
    pub items: Vec<WorkItem>,
    /// Items past their deadline and not done.
    pub overdue: Vec<String>,
    /// Per responsible unit (by items led, then name).
    pub units: Vec<UnitStatus>,
    /// Whether updates can be recorded here (a shared store).
    pub updates_enabled: bool,
    /// The year the targets' statuses are for (the latest year of data), when evaluated.
    pub year: Option<i64>,
}

fn today() -> String {
    crate::governance::rfc3339(hsplan_store::postgres::now_ms())[..10].to_string()
}

fn view(u: &WorkUpdate) -> UpdateView {
    UpdateView {
        id: u.id,
        reported_on: u.reported_on.clone(),
        recorded_at: crate::governance::rfc3339(u.at_ms),
        user: u.user.clone(),
        org: u.org.clone(),
        status: u.status.clone(),
        text: u.text.clone(),
        attachment: u.attachment_name.clone(),
    }
}

/// The work items of a plan, without progress.
fn items_of(plan: &Plan) -> Vec<WorkItem> {
    let d = &plan.data;
    let end = d.plan.period.get_ref()[1];
    let mut out = Vec::new();
    for t in &d.tasks {
        let responsible = t.responsible.get_ref();
        let year = t.target_years.iter().copied().max().unwrap_or(end);
        let mut serves: Vec<Served> = Vec::new();
        for id in &t.indicators {
            if let Some(r) = d.indicators.iter().find(|r| r.id.get_ref() == id) {
                serves.push(Served {
                    id: id.clone(),
                    name_zh: r.name_zh.clone(),
                    name_en: r.name_en.clone(),
                    target: None,
                    status: None,
                    actual: None,
                    state: None,
                    reason: None,
                });
            }
        }
        for r in &d.indicators {
            if t.text.contains(r.name_zh.as_str())
                && !serves.iter().any(|s| s.id == *r.id.get_ref())
            {
                serves.push(Served {
                    id: r.id.get_ref().clone(),
                    name_zh: r.name_zh.clone(),
                    name_en: r.name_en.clone(),
                    target: None,
                    status: None,
                    actual: None,
                    state: None,
                    reason: None,
                });
            }
        }
        for tt in &d.text_targets {
            if t.text.contains(tt.quote.get_ref().as_str()) {
                serves.push(Served {
                    id: tt
                        .id
                        .as_ref()
                        .map(|i| i.get_ref().clone())
                        .unwrap_or_else(|| tt.subject_en.clone()),
                    name_zh: tt.subject_zh.clone(),
                    name_en: tt.subject_en.clone(),
                    target: Some(format!(
                        "{} {} ({})",
                        tt.target.get_ref(),
                        tt.unit.get_ref(),
                        tt.year.get_ref()
                    )),
                    status: None,
                    actual: None,
                    state: None,
                    reason: None,
                });
            }
        }
        out.push(WorkItem {
            id: format!("task:{}", t.number.get_ref()),
            kind: "task".into(),
            number: t.number.get_ref().clone(),
            section: t.section.clone(),
            title: t.title.clone(),
            text: t.text.clone(),
            lead: responsible.first().cloned(),
            participants: responsible.iter().skip(1).cloned().collect(),
            deadline: format!("{year}-12-31"),
            status: "not_started".into(),
            overdue: false,
            latest: None,
            updates: 0,
            serves,
            derived_status: None,
        });
    }
    for p in &d.projects {
        let year = p.year_range().map_or(end, |(_, last)| last);
        out.push(WorkItem {
            id: format!("project:{}:{}", p.table, p.row.get_ref()),
            kind: "project".into(),
            number: p.row.get_ref().clone(),
            section: p.table.clone(),
            title: p.name.clone(),
            text: p.content.clone(),
            lead: None,
            participants: Vec::new(),
            deadline: format!("{year}-12-31"),
            status: "not_started".into(),
            overdue: false,
            latest: None,
            updates: 0,
            serves: Vec::new(),
            derived_status: None,
        });
    }
    out
}

/// Whether `who` may see the plan's progress: their read scope and the plan's
/// jurisdiction overlap (one contains the other).
fn may_read(plan: &Plan, who: Option<&Principal>) -> bool {
    let Some(p) = who else { return true };
    let Ok(j) = hsplan_model::AdminCode::parse(plan.data.plan.jurisdiction.get_ref()) else {
        return false;
    };
    p.roots(Action::Read)
        .iter()
        .any(|r| hsplan_govern::roles::within(*r, j) || hsplan_govern::roles::within(j, *r))
}

/// Each evaluated row's status and actual value, by indicator id.
type RowStatuses = BTreeMap<String, (String, Option<f64>)>;

/// The plan's rows evaluated for its jurisdiction in the latest year of data — only for a
/// reader who may see the whole jurisdiction (a part would give a wrong total): the year and
/// each row's status and actual value by indicator id.
fn row_statuses(
    ws: &Workspace,
    plan: &Plan,
    who: Option<&Principal>,
) -> Option<(hsplan_model::Year, RowStatuses)> {
    let j = hsplan_model::AdminCode::parse(plan.data.plan.jurisdiction.get_ref()).ok()?;
    if let Some(p) = who
        && !p
            .roots(Action::Read)
            .iter()
            .any(|r| hsplan_govern::roles::within(j, *r))
    {
        return None;
    }
    let snapshot = ws.snapshot_for(who);
    let sys = &snapshot.sys;
    if !sys.units.contains_key(&j) {
        return None;
    }
    let year = *sys.years().last()?;
    let rows = hsplan_eval::evaluate::evaluate_plan(sys, plan, j, year);
    let by_id = rows
        .into_iter()
        .map(|r| {
            let status = serde_json::to_value(r.status)
                .ok()
                .and_then(|v| v.as_str().map(str::to_string))
                .unwrap_or_default();
            (r.id, (status, r.actual))
        })
        .collect();
    Some((year, by_id))
}

/// Fills each served target's status and each item's derived status.
fn derive_statuses(items: &mut [WorkItem], statuses: &RowStatuses) {
    // worst first: regressing, off track, lagging, on track, achieved; no data above all
    let rank = |s: &str| match s {
        "achieved" => 0,
        "on_track" => 1,
        "lagging" => 2,
        "off_track" => 3,
        "regressing" => 4,
        _ => 5,
    };
    for it in items {
        for s in &mut it.serves {
            if let Some((status, actual)) = statuses.get(&s.id) {
                s.status = Some(status.clone());
                s.actual = *actual;
            }
        }
        if !it.serves.is_empty() && it.serves.iter().all(|s| s.status.is_some()) {
            it.derived_status = it
                .serves
                .iter()
                .filter_map(|s| s.status.clone())
                .max_by_key(|s| rank(s));
        }
    }
}

/// The board of a plan: every item with its latest status, the overdue list, and the
/// status per responsible unit; the statuses of the targets each item serves, and the
/// status an item's targets give it when all are evaluated.
pub fn board(ws: &Workspace, plan_id: &str, who: Option<&Principal>) -> Result<TaskBoard> {
    let plans = ws.plans();
    let plan = plans.get(plan_id)?;
    let mut items = items_of(plan);
    let evaluated = row_statuses(ws, plan, who);
    if let Some((_, statuses)) = &evaluated {
        derive_statuses(&mut items, statuses);
    }
    // whether each served target can be evaluated at all, and why not
    let coverage = crate::targets::coverage(plan);
    for it in &mut items {
        for s in &mut it.serves {
            if let Some(t) = coverage.targets.iter().find(|t| t.id == s.id) {
                s.state = Some(t.state);
                s.reason = t.reason.clone();
            }
        }
    }
    let updates = match (ws.server_store(), may_read(plan, who)) {
        (Some(pg), true) => pg.work_updates(plan_id, None)?,
        _ => Vec::new(),
    };
    let today = today();
    let mut by_item: BTreeMap<&str, Vec<&WorkUpdate>> = BTreeMap::new();
    for u in &updates {
        by_item.entry(u.item.as_str()).or_default().push(u);
    }
    for it in &mut items {
        if let Some(us) = by_item.get(it.id.as_str()) {
            it.updates = us.len();
            // the latest by reported date, then by recording order
            if let Some(last) = us
                .iter()
                .max_by(|a, b| (&a.reported_on, a.id).cmp(&(&b.reported_on, b.id)))
            {
                it.status = last.status.clone();
                it.latest = Some(view(last));
            }
        }
        it.overdue = it.deadline < today && it.status != "done";
    }
    let mut units: BTreeMap<String, UnitStatus> = BTreeMap::new();
    for it in &items {
        if let Some(lead) = &it.lead {
            let u = units.entry(lead.clone()).or_insert_with(|| UnitStatus {
                org: lead.clone(),
                ..Default::default()
            });
            u.leads += 1;
            match it.status.as_str() {
                "done" => u.done += 1,
                "in_progress" => u.in_progress += 1,
                "blocked" => u.blocked += 1,
                _ => u.not_started += 1,
            }
            if it.overdue {
                u.overdue += 1;
            }
        }
        for p in &it.participants {
            units
                .entry(p.clone())
                .or_insert_with(|| UnitStatus {
                    org: p.clone(),
                    ..Default::default()
                })
                .participates += 1;
        }
    }
    let mut units: Vec<UnitStatus> = units.into_values().collect();
    units.sort_by(|a, b| b.leads.cmp(&a.leads).then_with(|| a.org.cmp(&b.org)));
    Ok(TaskBoard {
        plan: plan_id.to_string(),
        overdue: items
            .iter()
            .filter(|i| i.overdue)
            .map(|i| i.id.clone())
            .collect(),
        today,
        items,
        units,
        updates_enabled: ws.governed(),
        year: evaluated.map(|(y, _)| i64::from(y.get())),
    })
}

/// An attachment sent with an update.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AttachmentUpload {
    /// File name.
    #[schema(min_length = 1, max_length = 255)]
    pub name: String,
    /// Media type (default application/octet-stream).
    pub content_type: Option<String>,
    /// The file, base64-encoded (at most 5 MiB decoded).
    pub data_base64: String,
}

/// A progress update.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdateRequest {
    /// The date reported for (YYYY-MM-DD; default today).
    pub reported_on: Option<String>,
    /// The responsible unit reporting (one of the item's, and one the user acts for).
    pub org: String,
    /// not_started, in_progress, done or blocked.
    pub status: String,
    /// What happened.
    #[schema(max_length = 20000)]
    pub text: String,
    /// An attachment.
    pub attachment: Option<AttachmentUpload>,
}

fn valid_date(s: &str) -> bool {
    let b = s.as_bytes();
    b.len() == 10
        && b[4] == b'-'
        && b[7] == b'-'
        && s[..4]
            .parse::<u16>()
            .is_ok_and(|y| (1949..=2100).contains(&y))
        && s[5..7].parse::<u8>().is_ok_and(|m| (1..=12).contains(&m))
        && s[8..10].parse::<u8>().is_ok_and(|d| (1..=31).contains(&d))
}

/// Records a progress update on a plan's task or project. The user must act for the
/// responsible unit named (see `hsplan user org`), and that unit must be one of the
/// item's; planners and admins (who coordinate) may report for any unit.
pub fn post_update(
    ws: &Workspace,
    p: &Principal,
    address: &str,
    plan_id: &str,
    item: &str,
    req: &UpdateRequest,
) -> Result<UpdateView> {
    let pg = ws.server_store().ok_or_else(|| {
        AppError::NeedsServerStore(
            "progress updates need the shared store: start with --db postgres://…".into(),
        )
    })?;
    let plans = ws.plans();
    let plan = plans.get(plan_id)?;
    if !may_read(plan, Some(p)) {
        return Err(AppError::NotFound(format!("plan {plan_id}")));
    }
    let items = items_of(plan);
    let it = items
        .iter()
        .find(|i| i.id == item)
        .ok_or_else(|| AppError::NotFound(format!("{item} in plan {plan_id}")))?;
    let mut problems = Vec::new();
    if !STATUSES.contains(&req.status.as_str()) {
        problems.push(format!(
            "status: `{}`: one of {}",
            req.status,
            STATUSES.join(", ")
        ));
    }
    let reported_on = req.reported_on.clone().unwrap_or_else(today);
    if !valid_date(&reported_on) {
        problems.push(format!(
            "reported_on: `{reported_on}`: a date as YYYY-MM-DD"
        ));
    }
    if req.text.trim().is_empty() || req.text.chars().count() > 20_000 {
        problems.push("text: say what happened (1 to 20000 characters)".into());
    }
    let attachment = match &req.attachment {
        None => None,
        Some(a) => {
            use base64::Engine;
            let name_ok = !a.name.trim().is_empty()
                && a.name.chars().count() <= 255
                && !a.name.contains(['/', '\\']);
            if !name_ok {
                problems.push("attachment.name: a plain file name".into());
            }
            match base64::engine::general_purpose::STANDARD.decode(a.data_base64.as_bytes()) {
                Ok(bytes) if bytes.len() <= MAX_ATTACHMENT => Some(bytes),
                Ok(bytes) => {
                    problems.push(format!(
                        "attachment: {} bytes; at most {MAX_ATTACHMENT}",
                        bytes.len()
                    ));
                    None
                }
                Err(e) => {
                    problems.push(format!("attachment.data_base64: not base64 ({e})"));
                    None
                }
            }
        }
    };
    if !problems.is_empty() {
        return Err(AppError::Input { problems, more: 0 });
    }
    let orgs: Vec<&String> = it.lead.iter().chain(it.participants.iter()).collect();
    let coordinator = p.can_somewhere(Action::EditPlans);
    if !coordinator {
        let mine = pg.member_orgs(&p.user)?;
        if !mine.contains(&req.org) {
            return Err(AppError::Forbidden(format!(
                "you do not act for {}; an admin can add you with `hsplan user org`",
                req.org
            )));
        }
    }
    if !orgs.is_empty() && !orgs.iter().any(|o| **o == req.org) {
        return Err(AppError::invalid(
            "org",
            format!(
                "{} is not responsible for {item}; responsible: {}",
                req.org,
                orgs.iter()
                    .map(|o| o.as_str())
                    .collect::<Vec<_>>()
                    .join("、")
            ),
        ));
    }
    let unit = hsplan_model::AdminCode::parse(plan.data.plan.jurisdiction.get_ref()).ok();
    let mut u = WorkUpdate {
        id: 0,
        plan: plan_id.to_string(),
        item: item.to_string(),
        at_ms: hsplan_store::postgres::now_ms(),
        reported_on,
        user: p.user.clone(),
        org: req.org.clone(),
        status: req.status.clone(),
        text: req.text.trim().to_string(),
        attachment_name: req.attachment.as_ref().map(|a| a.name.trim().to_string()),
        attachment_type: req.attachment.as_ref().map(|a| {
            a.content_type
                .clone()
                .filter(|t| !t.trim().is_empty() && t.len() <= 100)
                .unwrap_or_else(|| "application/octet-stream".into())
        }),
    };
    u.id = pg.add_work_update(
        &u,
        attachment.as_deref(),
        unit,
        &hsplan_store::postgres::Actor {
            name: p.user.clone(),
            address: address.to_string(),
        },
    )?;
    Ok(view(&u))
}

/// Every update of one item, oldest first.
pub fn updates(
    ws: &Workspace,
    plan_id: &str,
    item: &str,
    who: Option<&Principal>,
) -> Result<Vec<UpdateView>> {
    let plans = ws.plans();
    let plan = plans.get(plan_id)?;
    if !items_of(plan).iter().any(|i| i.id == item) || !may_read(plan, who) {
        return Err(AppError::NotFound(format!("{item} in plan {plan_id}")));
    }
    Ok(match ws.server_store() {
        Some(pg) => pg
            .work_updates(plan_id, Some(item))?
            .iter()
            .map(view)
            .collect(),
        None => Vec::new(),
    })
}

/// An update's attachment: file name, media type, bytes.
pub fn attachment(
    ws: &Workspace,
    plan_id: &str,
    id: i64,
    who: Option<&Principal>,
) -> Result<(String, String, Vec<u8>)> {
    let plans = ws.plans();
    let plan = plans.get(plan_id)?;
    let pg = ws
        .server_store()
        .ok_or_else(|| AppError::NotFound(format!("attachment {id}")))?;
    if !may_read(plan, who) {
        return Err(AppError::NotFound(format!("attachment {id}")));
    }
    pg.work_attachment(plan_id, id)?
        .ok_or_else(|| AppError::NotFound(format!("attachment {id}")))
}

/// Lets a user report for a responsible unit.
pub fn add_member_org(
    ws: &Workspace,
    user: &str,
    org: &str,
    by: &hsplan_store::postgres::Actor,
) -> Result<()> {
    let org = org.trim();
    if org.is_empty() || org.chars().count() > 100 {
        return Err(AppError::invalid(
            "org",
            "the unit's name as the plans write it (1 to 100 characters)",
        ));
    }
    ws.server_store()
        .ok_or_else(|| {
            AppError::NeedsServerStore(
                "responsible units of users live in the shared store: --db postgres://…".into(),
            )
        })?
        .add_member_org(user, org, by)?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dadukou_tasks_have_leads_deadlines_and_served_targets() {
        let plan = crate::catalog::plan("dadukou-service-system-2027").unwrap();
        let items = items_of(plan);
        let tasks: Vec<_> = items.iter().filter(|i| i.kind == "task").collect();
        assert_eq!(tasks.len(), 20);
        let first = &tasks[0];
        assert_eq!(first.lead.as_deref(), Some("区卫生健康委"));
        assert_eq!(first.participants, ["区发展改革委"]);
        assert_eq!(first.deadline, "2027-12-31");
        assert!(
            first
                .serves
                .iter()
                .any(|s| s.id == "share_township_centres_grade_a_pct"),
            "{:?}",
            first.serves
        );
    }

    #[test]
    fn an_item_whose_targets_are_all_evaluated_takes_the_worst_status() {
        let plan = crate::catalog::plan("dadukou-service-system-2027").unwrap();
        let mut items = items_of(plan);
        let mut statuses: BTreeMap<String, (String, Option<f64>)> = BTreeMap::new();
        for it in &items {
            for s in &it.serves {
                statuses.insert(s.id.clone(), ("on_track".into(), Some(1.0)));
            }
        }
        // one target of the first task lags; one of another task has no status at all
        let first = items
            .iter()
            .find(|i| i.serves.len() > 1)
            .unwrap()
            .id
            .clone();
        let lagging = items.iter().find(|i| i.id == first).unwrap().serves[1]
            .id
            .clone();
        statuses.insert(lagging.clone(), ("lagging".into(), Some(0.5)));
        let other = items
            .iter()
            .find(|i| {
                i.id != first && i.serves.iter().all(|s| s.id != lagging) && !i.serves.is_empty()
            })
            .unwrap();
        let (other_id, unevaluated) = (other.id.clone(), other.serves[0].id.clone());
        statuses.remove(&unevaluated);
        derive_statuses(&mut items, &statuses);
        let get = |id: &str| items.iter().find(|i| i.id == id).unwrap();
        assert_eq!(get(&first).derived_status.as_deref(), Some("lagging"));
        assert_eq!(get(&other_id).derived_status, None);
        assert!(
            items
                .iter()
                .filter(|i| i.serves.is_empty())
                .all(|i| i.derived_status.is_none())
        );
    }

    #[test]
    fn dates_are_checked() {
        assert!(valid_date("2026-12-03"));
        assert!(!valid_date("2026-13-03"));
        assert!(!valid_date("26-12-03"));
        assert!(!valid_date("2026/12/03"));
    }
}
