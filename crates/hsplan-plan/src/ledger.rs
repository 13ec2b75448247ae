//! Project and task ledgers: totals and breakdowns, computed from plan rows.

use crate::Plan;
use serde::Serialize;
use std::collections::BTreeMap;

/// Sums over a group of projects. Absent cells ("－") add nothing and are counted apart.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct ProjectGroup {
    /// Projects in the group.
    pub count: usize,
    /// Floor area, m².
    pub floor_area_m2: f64,
    /// Investment, 万元.
    pub investment_10k_yuan: f64,
    /// New land, 亩.
    pub new_land_mu: f64,
    /// Projects without a stated floor area.
    pub without_floor_area: usize,
    /// Projects without a stated investment.
    pub without_investment: usize,
}

impl ProjectGroup {
    fn add(&mut self, p: &crate::Project) {
        self.count += 1;
        self.floor_area_m2 += p.floor_area_m2.unwrap_or(0.0);
        self.investment_10k_yuan += p.investment_10k_yuan.unwrap_or(0.0);
        self.new_land_mu += p.new_land_mu.unwrap_or(0.0);
        self.without_floor_area += usize::from(p.floor_area_m2.is_none());
        self.without_investment += usize::from(p.investment_10k_yuan.is_none());
    }
}

/// A stated total next to the computed one.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TotalCheck {
    /// Plan id and table.
    pub table: String,
    /// Column.
    pub column: &'static str,
    /// As published.
    pub stated: f64,
    /// Sum of the rows.
    pub computed: f64,
}

impl TotalCheck {
    /// The rows reproduce the stated total (to half a unit).
    pub fn matches(&self) -> bool {
        (self.stated - self.computed).abs() <= 0.5
    }
}

/// The project ledger of one or more plans.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct ProjectLedger {
    /// All projects.
    pub total: ProjectGroup,
    /// By nature (新建, 续建…; "—" when not stated).
    pub by_nature: BTreeMap<String, ProjectGroup>,
    /// By status as published.
    pub by_status: BTreeMap<String, ProjectGroup>,
    /// By first implementation year.
    pub by_start_year: BTreeMap<u16, ProjectGroup>,
    /// By plan id.
    pub by_plan: BTreeMap<String, ProjectGroup>,
    /// Stated totals against the rows.
    pub checks: Vec<TotalCheck>,
}

/// A stated total checked: the check, the span of the stated value, the column in zh and en.
pub type StatedTotal = (
    TotalCheck,
    std::ops::Range<usize>,
    &'static str,
    &'static str,
);

/// Reads one numeric column of a project row.
type ColumnGetter = fn(&crate::Project) -> Option<f64>;

/// A column a totals row can state: (code, 中文, English, stated cell, getter).
type TotalColumn<'a> = (
    &'static str,
    &'static str,
    &'static str,
    Option<&'a toml::Spanned<f64>>,
    ColumnGetter,
);

/// The columns a totals row can state: (code, 中文, English, stated cell, getter).
fn total_columns(t: &crate::ProjectTotals) -> [TotalColumn<'_>; 3] {
    [
        (
            "floor_area_m2",
            "建筑面积",
            "floor area",
            t.floor_area_m2.as_ref(),
            |p| p.floor_area_m2,
        ),
        (
            "investment_10k_yuan",
            "拟投资",
            "investment",
            t.investment_10k_yuan.as_ref(),
            |p| p.investment_10k_yuan,
        ),
        (
            "new_land_mu",
            "拟新征地",
            "new land",
            t.new_land_mu.as_ref(),
            |p| p.new_land_mu,
        ),
    ]
}

/// Every stated total of a plan against the sum of its rows, with the span of the stated value.
pub fn stated_totals(plan: &Plan) -> Vec<StatedTotal> {
    let id = plan.data.plan.id.get_ref();
    let mut out = Vec::new();
    for t in &plan.data.project_totals {
        let rows: Vec<_> = plan
            .data
            .projects
            .iter()
            .filter(|p| &p.table == t.table.get_ref())
            .collect();
        let table = format!("{id} {}", t.table.get_ref());
        for (column, zh, en, stated, get) in total_columns(t) {
            if let Some(stated) = stated {
                let computed = rows.iter().filter_map(|p| get(p)).sum();
                out.push((
                    TotalCheck {
                        table: table.clone(),
                        column,
                        stated: *stated.get_ref(),
                        computed,
                    },
                    stated.span(),
                    zh,
                    en,
                ));
            }
        }
        if let Some(count) = &t.count {
            out.push((
                TotalCheck {
                    table: table.clone(),
                    column: "count",
                    stated: *count.get_ref() as f64,
                    computed: rows.len() as f64,
                },
                count.span(),
                "项目数",
                "project count",
            ));
        }
    }
    out
}

/// Computes the project ledger.
pub fn project_ledger(plans: &[&Plan]) -> ProjectLedger {
    let mut l = ProjectLedger::default();
    for plan in plans {
        let id = plan.data.plan.id.get_ref().clone();
        for p in &plan.data.projects {
            l.total.add(p);
            l.by_nature
                .entry(
                    p.nature
                        .map(|n| n.zh().to_string())
                        .unwrap_or_else(|| "—".into()),
                )
                .or_default()
                .add(p);
            l.by_status
                .entry(p.status.clone().unwrap_or_else(|| "—".into()))
                .or_default()
                .add(p);
            if let Some((start, _)) = p.year_range() {
                l.by_start_year.entry(start).or_default().add(p);
            }
            l.by_plan.entry(id.clone()).or_default().add(p);
        }
        l.checks
            .extend(stated_totals(plan).into_iter().map(|(check, ..)| check));
    }
    l
}

/// The task ledger of one or more plans.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct TaskLedger {
    /// Number of tasks.
    pub count: usize,
    /// Tasks led by each unit (first responsible unit).
    pub by_lead_unit: BTreeMap<String, usize>,
    /// Tasks each unit takes part in (any position).
    pub by_unit: BTreeMap<String, usize>,
    /// Tasks naming each target year in their text.
    pub by_target_year: BTreeMap<u16, usize>,
    /// Tasks per section, in published order.
    pub by_section: Vec<(String, usize)>,
}

/// Computes the task ledger.
pub fn task_ledger(plans: &[&Plan]) -> TaskLedger {
    let mut l = TaskLedger::default();
    for plan in plans {
        for t in &plan.data.tasks {
            l.count += 1;
            let units = t.responsible.get_ref();
            if let Some(lead) = units.first() {
                *l.by_lead_unit.entry(lead.clone()).or_default() += 1;
            }
            for u in units {
                *l.by_unit.entry(u.clone()).or_default() += 1;
            }
            for y in &t.target_years {
                *l.by_target_year.entry(*y).or_default() += 1;
            }
            match l.by_section.iter_mut().find(|(s, _)| *s == t.section) {
                Some((_, n)) => *n += 1,
                None => l.by_section.push((t.section.clone(), 1)),
            }
        }
    }
    l
}
