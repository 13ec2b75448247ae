//! Plan files edited on a shared server: the source of a plan as the workspace has it,
//! saves that run the lint first and keep every version, and the difference between any
//! two versions. Version 0 is the built-in text; each save adds the next version, refused
//! when someone else saved since the editor's text was read.

use crate::catalog::PlanSet;
use crate::plans::{FindingRow, findings_for};
use crate::{AppError, Result, Workspace};
use hsplan_govern::{Action, Principal};
use hsplan_plan::Plan;
use hsplan_store::{PgStore, PlanVersion};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// Largest plan file accepted (the largest seed plan is about 60 kB).
pub const MAX_PLAN_BYTES: usize = 2 * 1024 * 1024;
/// Longest comment kept with a version.
pub const MAX_COMMENT_CHARS: usize = 500;

/// The newest stored version of every edited plan in place of the built-in one.
pub(crate) fn stored_plans(pg: &PgStore) -> Result<PlanSet> {
    let mut set = PlanSet::built_in();
    for v in pg.latest_plan_versions()? {
        let Ok(built_in) = set.get(&v.plan) else {
            continue; // a plan this hsplan does not ship: kept in the store, not used
        };
        let plan = hsplan_plan::load(&built_in.file, &v.text).map_err(|e| {
            AppError::Store(format!(
                "stored plan {} version {} no longer reads with this hsplan: {e}",
                v.plan, v.version
            ))
        })?;
        set = set.with(plan, v.version);
    }
    Ok(set)
}

/// A plan's text as the workspace has it.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct PlanSource {
    /// Plan id.
    pub plan: String,
    /// File name findings are located in.
    pub file: String,
    /// Version (0: the built-in text).
    pub version: i64,
    /// The TOML text.
    pub text: String,
    /// Whether the caller may save a new version (planner or admin on the plan's
    /// jurisdiction, on a shared store).
    pub editable: bool,
    /// Lint findings of this text.
    pub findings: Vec<FindingRow>,
}

fn jurisdiction(plan: &Plan) -> Option<hsplan_model::AdminCode> {
    hsplan_model::AdminCode::parse(plan.data.plan.jurisdiction.get_ref()).ok()
}

fn may_edit(ws: &Workspace, plan: &Plan, who: Option<&Principal>) -> bool {
    match (ws.governed(), who, jurisdiction(plan)) {
        (true, Some(p), Some(unit)) => p.can(Action::EditPlans, unit),
        _ => false,
    }
}

fn finding_rows(plan: &Plan, set: &PlanSet) -> Vec<FindingRow> {
    findings_for(plan, set.all())
        .iter()
        .map(FindingRow::from)
        .collect()
}

/// The plan's current text with its findings.
pub fn source(ws: &Workspace, id: &str, who: Option<&Principal>) -> Result<PlanSource> {
    let set = ws.plans();
    let plan = set.get(id)?;
    Ok(PlanSource {
        plan: id.to_string(),
        file: plan.file.clone(),
        version: set.version(id),
        text: plan.text.clone(),
        editable: may_edit(ws, plan, who),
        findings: finding_rows(plan, &set),
    })
}

/// A version in a plan's history.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct PlanVersionRow {
    /// 0 (built in), 1, 2, …
    pub version: i64,
    /// Who saved it (`hsplan` for the built-in text).
    pub user: String,
    /// When (RFC 3339, UTC; None for the built-in text).
    pub at: Option<String>,
    /// The editor's comment.
    pub comment: String,
    /// Lint errors in this version.
    pub errors: u32,
    /// Lint warnings in this version.
    pub warnings: u32,
}

fn counts(findings: &[FindingRow]) -> (u32, u32) {
    let n = |s: &str| findings.iter().filter(|f| f.severity == s).count() as u32;
    (n("error"), n("warning"))
}

fn built_in_row(id: &str) -> Result<PlanVersionRow> {
    let shipped = crate::catalog::plan(id)?;
    let (errors, warnings) = counts(&finding_rows(shipped, &PlanSet::built_in()));
    Ok(PlanVersionRow {
        version: 0,
        user: "hsplan".into(),
        at: None,
        comment: "built in".into(),
        errors,
        warnings,
    })
}

/// Every version of a plan, oldest first (the built-in text is version 0).
pub fn history(ws: &Workspace, id: &str) -> Result<Vec<PlanVersionRow>> {
    ws.plans().get(id)?;
    let mut rows = vec![built_in_row(id)?];
    if let Some(pg) = ws.server_store() {
        rows.extend(pg.plan_versions(id)?.into_iter().map(|v| PlanVersionRow {
            version: v.version,
            user: v.user,
            at: Some(crate::governance::rfc3339(v.at_ms)),
            comment: v.comment,
            errors: v.errors,
            warnings: v.warnings,
        }));
    }
    Ok(rows)
}

/// One version's text.
pub fn version_text(ws: &Workspace, id: &str, version: i64) -> Result<String> {
    ws.plans().get(id)?;
    let missing = || AppError::NotFound(format!("version {version} of plan {id}"));
    if version == 0 {
        return crate::catalog::plan(id).map(|p| p.text.clone());
    }
    let pg = ws.server_store().ok_or_else(missing)?;
    pg.plan_version(id, version)?
        .map(|v| v.text)
        .ok_or_else(missing)
}

/// A save of a plan file.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PlanSaveRequest {
    /// The version the text was read at.
    #[schema(minimum = 0)]
    #[serde(deserialize_with = "crate::whole::number")]
    pub base_version: i64,
    /// The whole TOML text.
    pub text: String,
    /// What changed and why (kept with the version).
    #[serde(default)]
    pub comment: String,
    /// Save even though the text has lint errors the version it replaces did not have.
    #[serde(default)]
    pub confirm: bool,
}

/// What happened to a plan save.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[serde(tag = "outcome", rename_all = "snake_case")]
pub enum PlanSaveOutcome {
    /// Stored as the next version; the findings of the stored text.
    Saved {
        /// The new version.
        version: i64,
        /// Lint findings of the stored text.
        findings: Vec<FindingRow>,
    },
    /// Not stored: the text does not read as a plan (findings locate why).
    Unreadable {
        /// The reading errors.
        findings: Vec<FindingRow>,
    },
    /// Not stored: the lint found errors the replaced version did not have; send again
    /// with `confirm` to store anyway.
    ConfirmFindings {
        /// The new errors.
        new_errors: Vec<FindingRow>,
        /// Every finding of the text.
        findings: Vec<FindingRow>,
    },
    /// Not stored: someone saved a newer version since the text was read. Nothing is
    /// lost: the editor keeps its text, and here is what changed meanwhile.
    Stale {
        /// The stored newest version.
        version: i64,
        /// Who saved it.
        user: String,
        /// From the version the text was read at to the stored newest one.
        changes: PlanDiff,
    },
}

fn unreadable(file: &str, e: &hsplan_plan::PlanError) -> PlanSaveOutcome {
    PlanSaveOutcome::Unreadable {
        findings: vec![FindingRow {
            severity: "error".into(),
            rule: "unreadable".into(),
            location: file.to_string(),
            message_zh: e.to_string(),
            message_en: e.to_string(),
        }],
    }
}

/// Runs the lint on `req.text` and stores it as the next version of plan `id`: the
/// caller must be planner or admin on the plan's jurisdiction (before and after the
/// edit), the text must read as a plan with the same id, and new lint errors need
/// `confirm`. The saved plan is used by every later evaluation and ledger.
pub fn save(
    ws: &Workspace,
    p: &Principal,
    address: &str,
    id: &str,
    req: &PlanSaveRequest,
) -> Result<PlanSaveOutcome> {
    let pg = crate::governance::store(ws)?;
    let set = ws.plans();
    let current = set.get(id)?;
    if !may_edit(ws, current, Some(p)) {
        return Err(AppError::Forbidden(format!(
            "editing plan {id} needs the planner role on its jurisdiction or above"
        )));
    }
    if req.text.len() > MAX_PLAN_BYTES {
        return Err(AppError::invalid(
            "text",
            format!(
                "{} bytes; a plan file may have at most {MAX_PLAN_BYTES}",
                req.text.len()
            ),
        ));
    }
    if req.comment.chars().count() > MAX_COMMENT_CHARS {
        return Err(AppError::invalid(
            "comment",
            format!("at most {MAX_COMMENT_CHARS} characters"),
        ));
    }
    if req.base_version < 0 {
        return Err(AppError::invalid_said(
            "base_version",
            "must be 0 or more",
            "应为 0 或更大",
        ));
    }
    let plan = match hsplan_plan::load(&current.file, &req.text) {
        Ok(plan) => plan,
        Err(e) => return Ok(unreadable(&current.file, &e)),
    };
    if plan.data.plan.id.get_ref() != id {
        return Err(AppError::invalid(
            "text",
            format!(
                "{}: the plan id is `{}`; a saved version must keep the id `{id}`",
                plan.locate(plan.data.plan.id.span()),
                plan.data.plan.id.get_ref()
            ),
        ));
    }
    if !may_edit(ws, &plan, Some(p)) {
        return Err(AppError::Forbidden(format!(
            "{}: the new jurisdiction is outside where you may edit plans",
            plan.locate(plan.data.plan.jurisdiction.span())
        )));
    }
    let findings = finding_rows(&plan, &set);
    let replaced = match base_plan(ws, id, req.base_version)? {
        Some(base) => finding_rows(&base, &set),
        None => Vec::new(),
    };
    let new_errors: Vec<FindingRow> = findings
        .iter()
        .filter(|f| f.severity == "error")
        .filter(|f| {
            !replaced
                .iter()
                .any(|r| r.severity == "error" && r.rule == f.rule && r.message_en == f.message_en)
        })
        .cloned()
        .collect();
    if !new_errors.is_empty() && !req.confirm {
        return Ok(PlanSaveOutcome::ConfirmFindings {
            new_errors,
            findings,
        });
    }
    let (errors, warnings) = counts(&findings);
    let version = PlanVersion {
        plan: id.to_string(),
        version: 0,
        user: p.user.clone(),
        at_ms: 0,
        comment: req.comment.trim().to_string(),
        errors,
        warnings,
        text: req.text.clone(),
    };
    let who = crate::governance::actor(p, address);
    match pg.save_plan_version(&version, req.base_version, jurisdiction(&plan), &who)? {
        Ok(stored) => {
            ws.replace_plan(plan, stored.version);
            Ok(PlanSaveOutcome::Saved {
                version: stored.version,
                findings,
            })
        }
        Err(newest) => {
            let user = pg
                .plan_version(id, newest)?
                .map(|v| v.user)
                .unwrap_or_default();
            let from = if req.base_version <= newest {
                req.base_version
            } else {
                newest
            };
            Ok(PlanSaveOutcome::Stale {
                version: newest,
                user,
                changes: diff(ws, id, from, newest)?,
            })
        }
    }
}

/// The plan at the version an edit started from (None when that version does not exist).
fn base_plan(ws: &Workspace, id: &str, version: i64) -> Result<Option<Plan>> {
    let text = match version_text(ws, id, version) {
        Ok(text) => text,
        Err(AppError::NotFound(_)) => return Ok(None),
        Err(e) => return Err(e),
    };
    let file = ws.plans().get(id)?.file.clone();
    Ok(hsplan_plan::load(&file, &text).ok())
}

/// A line of a difference.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct DiffLine {
    /// `same`, `removed` or `added`.
    pub kind: String,
    /// Line number in the older version.
    pub old_line: Option<usize>,
    /// Line number in the newer version.
    pub new_line: Option<usize>,
    /// The line (without its end).
    pub text: String,
}

/// A run of changed lines with a little context.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct DiffHunk {
    /// The lines.
    pub lines: Vec<DiffLine>,
}

/// The difference between two versions of a plan.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct PlanDiff {
    /// Plan id.
    pub plan: String,
    /// Older version.
    pub from: i64,
    /// Newer version.
    pub to: i64,
    /// Lines added.
    pub added: usize,
    /// Lines removed.
    pub removed: usize,
    /// The changes, each with three lines of context.
    pub hunks: Vec<DiffHunk>,
}

/// Lines of context around each change.
const CONTEXT: usize = 3;

/// The difference between two texts, line by line.
pub fn diff_texts(old: &str, new: &str) -> (Vec<DiffHunk>, usize, usize) {
    use similar::{ChangeTag, TextDiff};
    let d = TextDiff::from_lines(old, new);
    let (mut added, mut removed) = (0, 0);
    let hunks = d
        .grouped_ops(CONTEXT)
        .iter()
        .map(|group| DiffHunk {
            lines: group
                .iter()
                .flat_map(|op| d.iter_changes(op))
                .map(|c| {
                    let kind = match c.tag() {
                        ChangeTag::Equal => "same",
                        ChangeTag::Delete => {
                            removed += 1;
                            "removed"
                        }
                        ChangeTag::Insert => {
                            added += 1;
                            "added"
                        }
                    };
                    DiffLine {
                        kind: kind.into(),
                        old_line: c.old_index().map(|i| i + 1),
                        new_line: c.new_index().map(|i| i + 1),
                        text: c.value().trim_end_matches(['\n', '\r']).to_string(),
                    }
                })
                .collect(),
        })
        .collect();
    (hunks, added, removed)
}

/// The difference from version `from` to version `to` of a plan.
pub fn diff(ws: &Workspace, id: &str, from: i64, to: i64) -> Result<PlanDiff> {
    let old = version_text(ws, id, from)?;
    let new = version_text(ws, id, to)?;
    let (hunks, added, removed) = diff_texts(&old, &new);
    Ok(PlanDiff {
        plan: id.to_string(),
        from,
        to,
        added,
        removed,
        hunks,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_diff_numbers_lines_and_counts_changes() {
        let old = "a\nb\nc\nd\ne\nf\ng\nh\ni\n";
        let new = "a\nb\nc\nd\ne\nF\ng\nh\ni\nj\n";
        let (hunks, added, removed) = diff_texts(old, new);
        assert_eq!((added, removed), (2, 1));
        let lines: Vec<(&str, Option<usize>, Option<usize>, &str)> = hunks
            .iter()
            .flat_map(|h| &h.lines)
            .map(|l| (l.kind.as_str(), l.old_line, l.new_line, l.text.as_str()))
            .collect();
        assert!(lines.contains(&("removed", Some(6), None, "f")));
        assert!(lines.contains(&("added", None, Some(6), "F")));
        assert!(lines.contains(&("added", None, Some(10), "j")));
        assert!(lines.contains(&("same", Some(3), Some(3), "c")));
        // context is bounded: lines 1 and 2 are more than three lines from the change
        assert!(!lines.iter().any(|l| l.3 == "a" || l.3 == "b"));
    }

    #[test]
    fn equal_texts_have_no_hunks() {
        let (hunks, added, removed) = diff_texts("x\ny\n", "x\ny\n");
        assert!(hunks.is_empty());
        assert_eq!((added, removed), (0, 0));
    }

    #[test]
    fn severity_counts() {
        let row = |s: &str| FindingRow {
            severity: s.into(),
            rule: "r".into(),
            location: "f:1:1".into(),
            message_zh: String::new(),
            message_en: String::new(),
        };
        assert_eq!(
            counts(&[row("error"), row("warning"), row("warning"), row("info")]),
            (1, 2)
        );
    }
}
