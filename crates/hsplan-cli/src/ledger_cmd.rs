//! `hsplan ledger projects|tasks`: totals and breakdowns, optionally to XLSX.

use crate::messages::{Lang, Msg, fill, pad};
use anyhow::{Context, Result};
use hsplan_plan::Plan;
use hsplan_plan::ledger::{ProjectGroup, project_ledger, task_ledger};
use rust_xlsxwriter::{Format, Workbook, Worksheet};
use std::path::{Path, PathBuf};

/// A titled list of groups.
type Section<'a> = (Msg, Vec<(String, &'a ProjectGroup)>);

fn load_all(files: &[PathBuf]) -> Result<Vec<Plan>> {
    files
        .iter()
        .map(|f| hsplan_plan::load_path(f).map_err(anyhow::Error::from))
        .collect()
}

fn num(v: f64) -> String {
    if v.fract() == 0.0 {
        format!("{v:.0}")
    } else {
        format!("{v:.2}")
    }
}

fn group_line(label: &str, g: &ProjectGroup) -> String {
    format!(
        "{}{:>5}{:>14}{:>14}{:>10}",
        pad(label, 24),
        g.count,
        num(g.floor_area_m2),
        num(g.investment_10k_yuan),
        num(g.new_land_mu)
    )
}

fn xlsx_err(e: rust_xlsxwriter::XlsxError) -> anyhow::Error {
    anyhow::anyhow!("writing XLSX: {e}")
}

/// Saves a workbook and says where.
pub(crate) fn save_workbook(book: &mut Workbook, path: &Path) -> Result<()> {
    book.save(path)
        .with_context(|| format!("{}: cannot write", path.display()))?;
    println!("XLSX: {}", path.display());
    Ok(())
}

pub(crate) fn write_rows(
    sheet: &mut Worksheet,
    headers: &[&str],
    rows: &[Vec<String>],
) -> Result<()> {
    let bold = Format::new().set_bold();
    for (c, h) in headers.iter().enumerate() {
        sheet
            .write_string_with_format(0, c as u16, *h, &bold)
            .map_err(xlsx_err)?;
    }
    for (r, row) in rows.iter().enumerate() {
        for (c, v) in row.iter().enumerate() {
            let (r, c) = (r as u32 + 1, c as u16);
            match v.parse::<f64>() {
                Ok(n) if !v.is_empty() => sheet.write_number(r, c, n).map_err(xlsx_err)?,
                _ => sheet.write_string(r, c, v).map_err(xlsx_err)?,
            };
        }
    }
    Ok(())
}

pub fn projects(files: &[PathBuf], json: bool, xlsx: Option<&Path>, lang: Lang) -> Result<()> {
    let plans = load_all(files)?;
    let refs: Vec<&Plan> = plans.iter().collect();
    let ledger = project_ledger(&refs);
    if json {
        println!("{}", serde_json::to_string_pretty(&ledger)?);
    } else {
        let t = |m: Msg| m.text(lang);
        println!(
            "{}{:>5}{:>14}{:>14}{:>10}",
            pad("", 24),
            t(Msg::Projects),
            t(Msg::FloorArea),
            t(Msg::Investment),
            t(Msg::NewLand)
        );
        println!("{}", group_line(t(Msg::Total), &ledger.total));
        let sections: [Section; 3] = [
            (
                Msg::ByNature,
                ledger
                    .by_nature
                    .iter()
                    .map(|(k, g)| (k.clone(), g))
                    .collect(),
            ),
            (
                Msg::ByStatus,
                ledger
                    .by_status
                    .iter()
                    .map(|(k, g)| (k.clone(), g))
                    .collect(),
            ),
            (
                Msg::ByStartYear,
                ledger
                    .by_start_year
                    .iter()
                    .map(|(k, g)| (k.to_string(), g))
                    .collect(),
            ),
        ];
        for (title, groups) in &sections {
            println!("{}", t(*title));
            for (k, g) in groups {
                println!("{}", group_line(&format!("  {k}"), g));
            }
        }
        for c in &ledger.checks {
            let verdict = t(if c.matches() {
                Msg::Matches
            } else {
                Msg::Mismatch
            });
            let line = fill(
                t(Msg::TotalCheck),
                &[
                    ("table", &c.table),
                    ("column", &c.column),
                    ("stated", &num(c.stated)),
                    ("computed", &num(c.computed)),
                    ("verdict", &verdict),
                ],
            );
            println!("{line}");
        }
    }
    if let Some(path) = xlsx {
        let mut book = Workbook::new();
        let sheet = book
            .add_worksheet()
            .set_name("projects")
            .map_err(xlsx_err)?;
        let rows: Vec<Vec<String>> = plans
            .iter()
            .flat_map(|plan| {
                plan.data.projects.iter().map(move |p| {
                    let o = |v: Option<f64>| v.map(num).unwrap_or_default();
                    vec![
                        plan.data.plan.id.get_ref().clone(),
                        p.table.clone(),
                        p.row.get_ref().clone(),
                        p.name.clone(),
                        p.content.clone(),
                        p.nature.map(|n| n.zh().to_string()).unwrap_or_default(),
                        o(p.floor_area_m2),
                        o(p.investment_10k_yuan),
                        p.years.get_ref().clone(),
                        o(p.new_land_mu),
                        p.status.clone().unwrap_or_default(),
                        p.note.clone().unwrap_or_default(),
                    ]
                })
            })
            .collect();
        write_rows(
            sheet,
            &[
                "规划",
                "表",
                "序号",
                "项目名称",
                "主要建设内容",
                "建设性质",
                "建筑面积（㎡）",
                "拟投资（万元）",
                "实施年度",
                "拟新征地（亩）",
                "状态",
                "备注",
            ],
            &rows,
        )?;
        let summary = book.add_worksheet().set_name("summary").map_err(xlsx_err)?;
        let mut rows = vec![];
        let mut push = |dim: &str, key: String, g: &ProjectGroup| {
            rows.push(vec![
                dim.to_string(),
                key,
                g.count.to_string(),
                num(g.floor_area_m2),
                num(g.investment_10k_yuan),
                num(g.new_land_mu),
            ])
        };
        push("合计", String::new(), &ledger.total);
        ledger
            .by_nature
            .iter()
            .for_each(|(k, g)| push("建设性质", k.clone(), g));
        ledger
            .by_status
            .iter()
            .for_each(|(k, g)| push("状态", k.clone(), g));
        ledger
            .by_start_year
            .iter()
            .for_each(|(k, g)| push("开工年度", k.to_string(), g));
        write_rows(
            summary,
            &[
                "维度",
                "分组",
                "项目数",
                "建筑面积（㎡）",
                "拟投资（万元）",
                "拟新征地（亩）",
            ],
            &rows,
        )?;
        save_workbook(&mut book, path)?;
    }
    Ok(())
}

pub fn tasks(files: &[PathBuf], json: bool, xlsx: Option<&Path>, lang: Lang) -> Result<()> {
    let plans = load_all(files)?;
    let refs: Vec<&Plan> = plans.iter().collect();
    let ledger = task_ledger(&refs);
    if json {
        println!("{}", serde_json::to_string_pretty(&ledger)?);
    } else {
        let t = |m: Msg| m.text(lang);
        println!("{}: {}", t(Msg::Tasks), ledger.count);
        let width = ledger
            .by_unit
            .keys()
            .map(|k| unicode_width::UnicodeWidthStr::width(k.as_str()))
            .max()
            .unwrap_or(10)
            + 2;
        println!(
            "{}{:>6}{:>6}",
            pad(t(Msg::ResponsibleUnit), width),
            t(Msg::Lead),
            t(Msg::Involved)
        );
        let mut units: Vec<_> = ledger.by_unit.iter().collect();
        units.sort_by(|a, b| b.1.cmp(a.1).then(a.0.cmp(b.0)));
        for (unit, n) in units {
            println!(
                "{}{:>6}{:>6}",
                pad(unit, width),
                ledger.by_lead_unit.get(unit).copied().unwrap_or(0),
                n
            );
        }
        println!("{}", t(Msg::ByTargetYear));
        for (y, n) in &ledger.by_target_year {
            println!("  {y}{n:>6}");
        }
        println!("{}", t(Msg::BySection));
        for (s, n) in &ledger.by_section {
            println!("  {}{n:>6}", pad(s, 14));
        }
    }
    if let Some(path) = xlsx {
        let mut book = Workbook::new();
        let sheet = book.add_worksheet().set_name("tasks").map_err(xlsx_err)?;
        let rows: Vec<Vec<String>> = plans
            .iter()
            .flat_map(|plan| {
                plan.data.tasks.iter().map(move |t| {
                    vec![
                        plan.data.plan.id.get_ref().clone(),
                        t.section.clone(),
                        t.number.get_ref().clone(),
                        t.title.clone(),
                        t.text.clone(),
                        t.target_years
                            .iter()
                            .map(ToString::to_string)
                            .collect::<Vec<_>>()
                            .join("、"),
                        t.responsible.get_ref().join("、"),
                    ]
                })
            })
            .collect();
        write_rows(
            sheet,
            &[
                "规划",
                "部分",
                "序号",
                "任务",
                "内容",
                "目标年份",
                "责任单位",
            ],
            &rows,
        )?;
        save_workbook(&mut book, path)?;
    }
    Ok(())
}
