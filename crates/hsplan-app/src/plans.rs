//! Plans as data: the built-in plans, lint findings with their locations, the tables
//! as published, and the project and task ledgers.

use crate::Result;
use crate::catalog::PlanSet;
use hsplan_plan::{Finding, Plan, Severity};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use utoipa::ToSchema;

/// A plan in the list.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct PlanSummary {
    /// Plan id.
    pub id: String,
    /// Title, 中文.
    pub title_zh: String,
    /// Title, English.
    pub title_en: String,
    /// Jurisdiction (unit code).
    pub jurisdiction: String,
    /// Baseline year.
    pub baseline_year: Option<i32>,
    /// Target years.
    pub target_years: Vec<i32>,
    /// Indicator-table rows.
    pub indicators: usize,
    /// Quantitative targets in the text.
    pub text_targets: usize,
    /// Projects.
    pub projects: usize,
    /// Tasks.
    pub tasks: usize,
    /// Parent plans (ids).
    pub parents: Vec<String>,
}

/// A plan's summary.
pub fn summary(p: &Plan) -> PlanSummary {
    let h = &p.data.plan;
    PlanSummary {
        id: h.id.get_ref().clone(),
        title_zh: h.title_zh.clone(),
        title_en: h.title_en.clone(),
        jurisdiction: h.jurisdiction.get_ref().clone(),
        baseline_year: h.baseline_year.as_ref().map(|y| i32::from(*y.get_ref())),
        target_years: h
            .target_years
            .get_ref()
            .iter()
            .map(|y| i32::from(*y))
            .collect(),
        indicators: p.data.indicators.len(),
        text_targets: p.data.text_targets.len(),
        projects: p.data.projects.len(),
        tasks: p.data.tasks.len(),
        parents: h.parents.clone(),
    }
}

/// The plans of a workspace (a shared store's edits in place of the built-in text).
pub fn list(plans: &PlanSet) -> Vec<PlanSummary> {
    plans.all().values().map(summary).collect()
}

/// A table as published: headers and rows of text.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct Table {
    /// Column headers.
    pub headers: Vec<String>,
    /// Rows.
    pub rows: Vec<Vec<String>>,
}

impl From<(Vec<String>, Vec<Vec<String>>)> for Table {
    fn from((headers, rows): (Vec<String>, Vec<Vec<String>>)) -> Self {
        Table { headers, rows }
    }
}

/// A plan's tables as published.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct PlanTables {
    /// The plan.
    pub plan: PlanSummary,
    /// Indicator table(s).
    pub indicators: Table,
    /// Equipment quotas.
    pub quotas: Table,
    /// Projects (with stated totals first).
    pub projects: Table,
    /// Tasks with their responsible units.
    pub tasks: Table,
    /// Quantitative targets in the text.
    pub text_targets: Table,
    /// Lint findings.
    pub findings: Vec<FindingRow>,
}

/// A lint finding.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct FindingRow {
    /// error, warning or info.
    pub severity: String,
    /// Rule code.
    pub rule: String,
    /// file:line:column.
    pub location: String,
    /// 中文.
    pub message_zh: String,
    /// English.
    pub message_en: String,
}

impl From<&Finding> for FindingRow {
    fn from(f: &Finding) -> Self {
        FindingRow {
            severity: match f.severity {
                Severity::Error => "error",
                Severity::Warning => "warning",
                Severity::Info => "info",
            }
            .into(),
            rule: f.rule.into(),
            location: f.location.clone(),
            message_zh: f.message_zh.clone(),
            message_en: f.message_en.clone(),
        }
    }
}

/// A plan's tables and findings.
pub fn show(plans: &PlanSet, id: &str) -> Result<PlanTables> {
    let plan = plans.get(id)?;
    Ok(PlanTables {
        plan: summary(plan),
        indicators: indicator_rows(plan).into(),
        quotas: quota_rows(plan).into(),
        projects: project_rows(plan).into(),
        tasks: task_rows(plan).into(),
        text_targets: text_target_rows(plan).into(),
        findings: findings_for(plan, plans.all())
            .iter()
            .map(FindingRow::from)
            .collect(),
    })
}

/// A plan file to check (uploaded text).
#[derive(Debug, Clone, Deserialize, ToSchema)]
pub struct PlanCheckRequest {
    /// File name used in messages.
    pub file: String,
    /// The TOML text.
    pub text: String,
}

/// The outcome of checking a plan file.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct PlanCheck {
    /// The plan, when it parsed.
    pub plan: Option<PlanSummary>,
    /// Findings (parse errors are one finding of severity error).
    pub findings: Vec<FindingRow>,
    /// Errors among the findings.
    pub errors: usize,
}

/// Checks plan text (schema + lint, against the parents in `plans`).
pub fn check(plans: &PlanSet, req: &PlanCheckRequest) -> PlanCheck {
    match hsplan_plan::load(&req.file, &req.text) {
        Ok(plan) => {
            let findings: Vec<FindingRow> = findings_for(&plan, plans.all())
                .iter()
                .map(FindingRow::from)
                .collect();
            PlanCheck {
                plan: Some(summary(&plan)),
                errors: findings.iter().filter(|f| f.severity == "error").count(),
                findings,
            }
        }
        Err(e) => PlanCheck {
            plan: None,
            findings: vec![FindingRow {
                severity: "error".into(),
                rule: "unreadable".into(),
                location: req.file.clone(),
                message_zh: e.to_string(),
                message_en: e.to_string(),
            }],
            errors: 1,
        },
    }
}

/// Project and task ledgers of plans (all when `ids` is empty).
pub fn ledgers(
    set: &PlanSet,
    ids: &[String],
) -> Result<(
    hsplan_plan::ledger::ProjectLedger,
    hsplan_plan::ledger::TaskLedger,
)> {
    let plans: Vec<&Plan> = if ids.is_empty() {
        set.all().values().collect()
    } else {
        ids.iter().map(|id| set.get(id)).collect::<Result<_>>()?
    };
    Ok((
        hsplan_plan::ledger::project_ledger(&plans),
        hsplan_plan::ledger::task_ledger(&plans),
    ))
}

/// All findings for one plan: its own lint, then against each parent found.
pub fn findings_for(plan: &Plan, registry: &BTreeMap<String, Plan>) -> Vec<Finding> {
    let mut findings = hsplan_plan::lint(plan);
    for parent_id in &plan.data.plan.parents {
        match registry.get(parent_id) {
            Some(parent) => findings.extend(hsplan_plan::lint_against_parent(plan, parent)),
            None => findings.push(Finding {
                severity: Severity::Info,
                rule: "parent-not-found",
                location: plan.locate(plan.data.plan.id.span()).to_string(),
                message_zh: format!("未找到上级规划 {parent_id}（与本文件同目录的 .toml），未做上下级一致性检查"),
                message_en: format!("parent plan {parent_id} not found among the .toml files beside this one; parent checks skipped"),
            }),
        }
    }
    findings.sort_by_key(|f| f.severity);
    findings
}

/// The indicator table(s) of a plan, rows as published.
pub fn indicator_rows(plan: &Plan) -> (Vec<String>, Vec<Vec<String>>) {
    let h = &plan.data.plan;
    let base = format!(
        "{}年",
        h.baseline_year
            .as_ref()
            .map(|y| y.get_ref().to_string())
            .unwrap_or_default()
    );
    let target = format!(
        "{}年目标值",
        h.target_years.get_ref().last().copied().unwrap_or_default()
    );
    let headers = ["表", "维度", "序号", "主要指标", &base, &target, "指标性质"]
        .map(String::from)
        .to_vec();
    let mut last_dim: Option<&str> = None;
    let rows = plan
        .data
        .indicators
        .iter()
        .map(|i| {
            let dim = i.dimension.as_deref().unwrap_or("");
            let shown_dim = if last_dim == Some(dim) { "" } else { dim };
            last_dim = Some(dim);
            let number = if i.sub_of.is_some() {
                ""
            } else {
                i.row.get_ref().as_str()
            };
            vec![
                i.table.clone(),
                shown_dim.to_string(),
                number.to_string(),
                i.name_zh.clone(),
                i.baseline_text().to_string(),
                i.target_text().to_string(),
                i.nature.map(|n| n.zh()).unwrap_or("").to_string(),
            ]
        })
        .collect();
    (headers, rows)
}

pub fn quota_rows(plan: &Plan) -> (Vec<String>, Vec<Vec<String>>) {
    let h = &plan.data.plan;
    let headers = vec![
        "表".into(),
        "名称".into(),
        "单位".into(),
        h.baseline_year
            .as_ref()
            .map(|y| y.get_ref().to_string())
            .unwrap_or_default(),
        format!(
            "{}",
            h.target_years.get_ref().last().copied().unwrap_or_default()
        ),
    ];
    let rows = plan
        .data
        .equipment_quotas
        .iter()
        .map(|q| {
            vec![
                q.table.clone(),
                q.name_zh.clone(),
                q.unit.clone(),
                q.baseline.get_ref().to_string(),
                q.planned.get_ref().to_string(),
            ]
        })
        .collect();
    (headers, rows)
}

pub fn project_rows(plan: &Plan) -> (Vec<String>, Vec<Vec<String>>) {
    let headers = [
        "表",
        "序号",
        "项目名称",
        "建设性质",
        "建筑面积（㎡）",
        "拟投资（万元）",
        "实施年度",
        "拟新征地（亩）",
        "备注",
    ]
    .map(String::from)
    .to_vec();
    let dash = |v: Option<f64>| {
        v.map(|x| {
            if x.fract() == 0.0 {
                format!("{x:.0}")
            } else {
                x.to_string()
            }
        })
        .unwrap_or_else(|| "－".into())
    };
    let mut rows: Vec<Vec<String>> = Vec::new();
    for t in &plan.data.project_totals {
        let total = |v: &Option<toml::Spanned<f64>>| dash(v.as_ref().map(|s| *s.get_ref()));
        rows.push(vec![
            t.table.get_ref().clone(),
            "合计".into(),
            String::new(),
            String::new(),
            total(&t.floor_area_m2),
            total(&t.investment_10k_yuan),
            String::new(),
            total(&t.new_land_mu),
            String::new(),
        ]);
    }
    for p in &plan.data.projects {
        rows.push(vec![
            p.table.clone(),
            p.row.get_ref().clone(),
            p.name.clone(),
            p.nature
                .map(|n| n.zh().to_string())
                .unwrap_or_else(|| "－".into()),
            dash(p.floor_area_m2),
            dash(p.investment_10k_yuan),
            p.years.get_ref().clone(),
            dash(p.new_land_mu),
            p.status.clone().unwrap_or_default(),
        ]);
    }
    (headers, rows)
}

pub fn task_rows(plan: &Plan) -> (Vec<String>, Vec<Vec<String>>) {
    let headers = ["部分", "序号", "任务", "责任单位"]
        .map(String::from)
        .to_vec();
    let rows = plan
        .data
        .tasks
        .iter()
        .map(|t| {
            vec![
                t.section.clone(),
                t.number.get_ref().clone(),
                t.title.clone(),
                t.responsible.get_ref().join("、"),
            ]
        })
        .collect();
    (headers, rows)
}

pub fn text_target_rows(plan: &Plan) -> (Vec<String>, Vec<Vec<String>>) {
    let headers = ["出处", "指标", "目标", "单位", "年份"]
        .map(String::from)
        .to_vec();
    let rows = plan
        .data
        .text_targets
        .iter()
        .map(|t| {
            vec![
                t.section.clone(),
                t.subject_zh.clone(),
                t.target.get_ref().clone(),
                t.unit.get_ref().clone(),
                t.year.get_ref().to_string(),
            ]
        })
        .collect();
    (headers, rows)
}
