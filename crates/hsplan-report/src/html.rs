//! The self-contained HTML evaluation report: inline CSS and inline SVG charts only —
//! no script, font or image is loaded when the file is opened.

use crate::messages::{Lang, Mode, Msg, fill};
use crate::svg;
use hsplan_eval::Gap;
use hsplan_eval::evaluate::{EvaluatedIndicator, Status};
use hsplan_eval::quality::{Dimension, QualityReview};
use hsplan_eval::report::{Evaluation, League};
use hsplan_model::MultiPolygon;
use std::collections::BTreeMap;
use std::fmt::Write;

/// One located violation of an allocation standard, ready to show.
#[derive(Debug, Clone, PartialEq)]
pub struct ViolationLine {
    /// Severity label.
    pub severity: String,
    /// Rule id and statement.
    pub rule: String,
    /// Where (unit or facility, with its district).
    pub location: String,
    /// Observed value.
    pub observed: String,
    /// Required value.
    pub required: String,
    /// What is missing, in words ("缺 2 名公共卫生医师").
    pub shortfall: String,
}

/// The standards section of a report.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct StandardsSection {
    /// Rules evaluated.
    pub rules: usize,
    /// Subjects (units or facilities) checked.
    pub checked: usize,
    /// Violations per district (name, count), sorted.
    pub by_district: Vec<(String, usize)>,
    /// Every violation, most severe first.
    pub violations: Vec<ViolationLine>,
}

/// Access to care: coverage within travel-time thresholds per sub-unit.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct AccessSection {
    /// What the network and demand are (e.g. that the network is synthetic).
    pub note: String,
    /// Facilities counted.
    pub facilities: String,
    /// Thresholds, minutes.
    pub thresholds_min: Vec<f64>,
    /// Per sub-unit then the total: (name, population, share % within each threshold,
    /// share % within its own urban 15 / rural 30 min standard).
    pub rows: Vec<(String, f64, Vec<f64>, Option<f64>)>,
    /// The least served demand points: (name, population, minutes or None beyond reach).
    pub farthest: Vec<(String, f64, Option<f64>)>,
}

/// One evaluation in the report, with its mode.
pub struct Part<'a> {
    /// Annual, mid-term or final.
    pub mode: Mode,
    /// What was evaluated.
    pub evaluation: &'a Evaluation,
    /// Standards check for the same year, when run.
    pub standards: Option<&'a StandardsSection>,
    /// Access to care, when a road graph was given.
    pub access: Option<&'a AccessSection>,
}

/// What the report shows besides the evaluations.
pub struct Context<'a> {
    /// Boundaries of the sub-units by code (for the choropleths).
    pub boundaries: &'a BTreeMap<String, MultiPolygon>,
    /// Whether the boundaries are schematic (synthetic) rather than real.
    pub schematic_boundaries: bool,
    /// Labels shown on top, e.g. that the data are synthetic (in the report's language).
    pub banners: &'a [String],
    /// Notes for the reader, already in the report's language.
    pub notes: &'a [String],
}

/// Escapes text for HTML.
pub fn esc(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// A value as the plan writes it: `1:x.xx` for ratios, else two decimals; "—" if missing.
pub fn format_value(target: &str, v: Option<f64>) -> String {
    match v {
        Some(x) if target.contains(':') => format!("1:{x:.2}"),
        Some(x) => format!("{x:.2}"),
        None => "—".into(),
    }
}

/// A computed number: whole numbers as they are, others with two decimals.
pub fn format_number(v: f64) -> String {
    if v.fract() == 0.0 {
        format!("{v:.0}")
    } else {
        format!("{v:.2}")
    }
}

/// The colour of a status.
pub fn status_colour(s: Status) -> &'static str {
    match s {
        Status::Achieved => "#1b7f3b",
        Status::OnTrack => "#5cb85c",
        Status::Lagging => "#f0ad4e",
        Status::OffTrack => "#d9534f",
        Status::Regressing => "#8e3b9e",
        Status::NoData => "#9e9e9e",
    }
}

fn status_label(s: Status, lang: Lang) -> &'static str {
    lang.pick(s.zh(), s.en())
}

const STYLE: &str = "body{font-family:system-ui,'Noto Sans CJK SC','Microsoft YaHei',sans-serif;margin:0 auto;max-width:1180px;padding:16px 24px;color:#222;line-height:1.5}\
h1{font-size:1.6em;margin-bottom:4px}h2{border-bottom:2px solid #2b5d8a;padding-bottom:2px;margin-top:2em}h3{margin-bottom:4px}\
table{border-collapse:collapse;width:100%;font-size:.9em;margin:8px 0}th,td{border:1px solid #ddd;padding:3px 6px;vertical-align:middle}\
th{background:#eef3f8;text-align:left}td.n{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}\
.badge{display:inline-block;color:#fff;border-radius:3px;padding:0 6px;font-size:.85em;white-space:nowrap}\
.banner{background:#fff4d6;border:1px solid #e8c15a;padding:8px 12px;margin:12px 0}\
.maps{display:flex;flex-wrap:wrap;gap:16px}.map{flex:0 0 360px}.small{font-size:.85em;color:#555}\
.doubt{color:#9a5b00}nav a{margin-right:12px}figure{margin:0}figcaption{font-size:.9em;font-weight:600}";

/// One plan on an index page of reports.
pub struct IndexEntry<'a> {
    /// Where its report is, relative to the index page.
    pub href: String,
    /// Its evaluations, oldest first.
    pub evaluations: Vec<(Mode, &'a Evaluation)>,
    /// Its quantitative targets: evaluated, waiting for records, not computable.
    pub coverage: (usize, usize, usize),
}

/// An index page of plan reports: per plan its jurisdiction, the status counts of each
/// evaluated year and how many of its targets are evaluated.
pub fn render_index(
    title: &str,
    intro: &str,
    entries: &[IndexEntry<'_>],
    banners: &[String],
    lang: Lang,
) -> String {
    let mut h = String::new();
    let _ = write!(
        h,
        "<!DOCTYPE html>\n<html lang=\"{}\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta name=\"viewport\" content=\"width=device-width,initial-scale=1\">\n\
         <title>{}</title>\n<style>{STYLE}</style>\n</head>\n<body>\n<h1>{}</h1>\n",
        lang.pick("zh-CN", "en"),
        esc(title),
        esc(title)
    );
    for b in banners {
        let _ = writeln!(h, "<div class=\"banner\">{}</div>", esc(b));
    }
    let _ = writeln!(h, "<p>{}</p>", esc(intro));
    let _ = writeln!(
        h,
        "<table>\n<tr><th>{}</th><th>{}</th><th>{}</th></tr>",
        esc(Msg::IndexPlan.text(lang)),
        esc(Msg::IndexUnit.text(lang)),
        esc(Msg::IndexEvaluated.text(lang))
    );
    for entry in entries {
        let Some((_, first)) = entry.evaluations.first() else {
            continue;
        };
        let (evaluated, records, other) = entry.coverage;
        let _ = write!(
            h,
            "<tr><td><a href=\"{}\">{}</a><div class=\"small\">{}</div></td><td>{} {}</td><td>",
            esc(&entry.href),
            esc(lang.pick(&first.title_zh, &first.title_en)),
            esc(&fill(
                Msg::IndexTargets.text(lang),
                &[
                    ("evaluated", &evaluated),
                    ("records", &records),
                    ("other", &other)
                ]
            )),
            esc(&first.unit_name),
            esc(&first.unit)
        );
        for (mode, e) in &entry.evaluations {
            let _ = write!(
                h,
                "<div><b>{} · {}</b> ",
                e.year,
                esc(mode.msg().text(lang))
            );
            for (status, n) in &e.status_counts {
                let _ = write!(
                    h,
                    "<span class=\"badge\" style=\"background:{}\">{} {n}</span> ",
                    status_colour(*status),
                    esc(lang.pick(status.zh(), status.en()))
                );
            }
            h.push_str("</div>");
        }
        h.push_str("</td></tr>\n");
    }
    h.push_str("</table>\n");
    let _ = writeln!(
        h,
        "<p class=\"small\">{}</p>\n</body>\n</html>",
        esc(Msg::GeneratedBy.text(lang))
    );
    h
}

/// Renders the report: one document, one chapter per evaluation.
pub fn render(parts: &[Part<'_>], ctx: &Context<'_>, lang: Lang) -> String {
    let mut h = String::new();
    let first = parts.first().map(|p| p.evaluation);
    let title = first
        .map(|e| lang.pick(&e.title_zh, &e.title_en).to_string())
        .unwrap_or_default();
    let html_lang = lang.pick("zh-CN", "en");
    let _ = write!(
        h,
        "<!DOCTYPE html>\n<html lang=\"{html_lang}\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta name=\"viewport\" content=\"width=device-width,initial-scale=1\">\n\
         <title>{}</title>\n<style>{STYLE}</style>\n</head>\n<body>\n",
        esc(&title)
    );
    let _ = writeln!(h, "<h1>{}</h1>", esc(&title));
    if let Some(e) = first {
        let _ = writeln!(
            h,
            "<p class=\"small\">{} {} · {}</p>",
            esc(&e.unit_name),
            esc(&e.unit),
            esc(&e.plan)
        );
    }
    for b in ctx.banners {
        let _ = writeln!(h, "<div class=\"banner\">{}</div>", esc(b));
    }
    let _ = write!(h, "<nav><b>{}</b> ", esc(Msg::SecContents.text(lang)));
    for p in parts {
        let e = p.evaluation;
        let _ = write!(
            h,
            "<a href=\"#y{}\">{} · {}</a>",
            e.year,
            e.year,
            esc(p.mode.msg().text(lang))
        );
    }
    h.push_str("</nav>\n");
    for p in parts {
        chapter(&mut h, p, ctx, lang);
    }
    let _ = writeln!(h, "<h2>{}</h2>", esc(Msg::SecMethod.text(lang)));
    for m in [
        Msg::MethodStatus,
        Msg::MethodProjection,
        Msg::EquityNote,
        Msg::QualityMethod,
    ] {
        let _ = writeln!(h, "<p class=\"small\">{}</p>", esc(m.text(lang)));
    }
    if !ctx.notes.is_empty() {
        h.push_str("<ul class=\"small\">\n");
        for n in ctx.notes {
            let _ = writeln!(h, "<li>{}</li>", esc(n));
        }
        h.push_str("</ul>\n");
    }
    let _ = writeln!(
        h,
        "<p class=\"small\">{}</p>\n</body>\n</html>",
        esc(Msg::GeneratedBy.text(lang))
    );
    h
}

/// A standalone standards report (`hsplan standards check --format html`).
pub fn render_standards(
    title: &str,
    year: i32,
    section: &StandardsSection,
    banners: &[String],
    lang: Lang,
) -> String {
    let mut h = String::new();
    let heading = fill(
        Msg::StandardsHeading.text(lang),
        &[("year", &year), ("title", &title)],
    );
    let _ = write!(
        h,
        "<!DOCTYPE html>\n<html lang=\"{}\">\n<head>\n<meta charset=\"utf-8\">\n<title>{}</title>\n<style>{STYLE}</style>\n</head>\n<body>\n<h1>{}</h1>\n",
        lang.pick("zh-CN", "en"),
        esc(&heading),
        esc(&heading)
    );
    for b in banners {
        let _ = writeln!(h, "<div class=\"banner\">{}</div>", esc(b));
    }
    standards(&mut h, section, lang);
    let _ = writeln!(
        h,
        "<p class=\"small\">{}</p>\n</body>\n</html>",
        esc(Msg::GeneratedBy.text(lang))
    );
    h
}

fn name(r: &EvaluatedIndicator, lang: Lang) -> &str {
    lang.pick(&r.name_zh, &r.name_en)
}

/// The name, and for a target stated in the text its section and verbatim words; a row
/// computed from doubtful data says what the review found.
fn name_cell(r: &EvaluatedIndicator, lang: Lang) -> String {
    let mut cell = match &r.quote {
        Some(q) => format!(
            "{}<br><span class=\"small\">{} · “{}”</span>",
            esc(name(r, lang)),
            esc(&r.row),
            esc(q)
        ),
        None => esc(name(r, lang)).to_string(),
    };
    if let Some(d) = &r.doubt {
        let _ = write!(
            cell,
            "<br><span class=\"small doubt\">⚠ {}：{}</span>",
            esc(Msg::DataDoubt.text(lang)),
            esc(lang.pick(&d.zh, &d.en))
        );
    }
    cell
}

fn chapter(h: &mut String, p: &Part<'_>, ctx: &Context<'_>, lang: Lang) {
    let e = p.evaluation;
    let _ = writeln!(
        h,
        "<h2 id=\"y{}\">{} {} · {}</h2>",
        e.year,
        e.year,
        esc(lang.pick("年", "")),
        esc(p.mode.msg().text(lang))
    );
    // 1. Overview.
    let _ = writeln!(h, "<h3>{}</h3>", esc(Msg::SecOverview.text(lang)));
    let binding = e.indicators.iter().filter(|r| r.binding).count();
    let _ = writeln!(
        h,
        "<p>{}</p>",
        esc(&fill(
            Msg::OverviewLine.text(lang),
            &[
                ("n", &e.indicators.len()),
                ("binding", &binding),
                ("year", &e.year),
                ("target", &e.target_year)
            ]
        ))
    );
    let segments: Vec<svg::Segment> = e
        .status_counts
        .iter()
        .map(|(s, n)| svg::Segment {
            label: status_label(*s, lang).to_string(),
            value: *n as f64,
            colour: status_colour(*s).to_string(),
        })
        .collect();
    h.push_str(&svg::stacked_bar(&segments, 720.0, 26.0));
    h.push('\n');
    // 2–3. Indicator tables.
    let trends: BTreeMap<&str, &[(i32, f64)]> = e
        .trends
        .iter()
        .map(|t| (t.id.as_str(), t.values.as_slice()))
        .collect();
    for (binding, title) in [(true, Msg::SecBinding), (false, Msg::SecExpected)] {
        let _ = writeln!(h, "<h3>{}</h3>", esc(title.text(lang)));
        indicator_table(
            h,
            e,
            e.indicators.iter().filter(|r| r.binding == binding),
            &trends,
            lang,
        );
    }
    // 4. Sub-units.
    let _ = writeln!(h, "<h3>{}</h3>", esc(Msg::SecSubUnits.text(lang)));
    sub_units(h, e, ctx, lang);
    // 5. Equity.
    let _ = writeln!(h, "<h3>{}</h3>", esc(Msg::SecEquity.text(lang)));
    let _ = writeln!(
        h,
        "<table><tr><th>{}</th><th>{}</th><th>{}</th></tr>",
        esc(Msg::Indicator.text(lang)),
        esc(Msg::GiniByPopulation.text(lang)),
        esc(Msg::GiniByArea.text(lang))
    );
    for q in &e.equity {
        let g = |v: Option<f64>| v.map(|x| format!("{x:.3}")).unwrap_or_else(|| "—".into());
        let _ = writeln!(
            h,
            "<tr><td>{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td></tr>",
            esc(lang.pick(&q.name_zh, &q.name_en)),
            g(q.gini_by_population),
            g(q.gini_by_area)
        );
    }
    h.push_str("</table>\n");
    if ctx.schematic_boundaries {
        let _ = writeln!(
            h,
            "<p class=\"small\">{}</p>",
            esc(Msg::SchematicMap.text(lang))
        );
    }
    // 6. Problems.
    let _ = writeln!(h, "<h3>{}</h3>", esc(Msg::SecProblems.text(lang)));
    problems(h, e, lang);
    // 7. Standards.
    if let Some(s) = p.standards {
        let _ = writeln!(h, "<h3>{}</h3>", esc(Msg::SecStandards.text(lang)));
        standards(h, s, lang);
    }
    // 8. Access.
    if let Some(a) = p.access {
        let _ = writeln!(h, "<h3>{}</h3>", esc(Msg::SecAccess.text(lang)));
        access(h, a, lang);
    }
    // 9. Data quality.
    let _ = writeln!(h, "<h3>{}</h3>", esc(Msg::SecQuality.text(lang)));
    quality(h, &e.quality, lang, 40);
    // 10. Use of services, counted from records.
    if !e.utilisation.is_empty() {
        let _ = writeln!(h, "<h3>{}</h3>", esc(Msg::SecUtilisation.text(lang)));
        utilisation(h, e, lang);
    }
}

/// The utilisation indicators counted from records: the unit's value with numerator and
/// denominator, whether the plan sets a target, and the direct sub-units' values.
fn utilisation(h: &mut String, e: &Evaluation, lang: Lang) {
    let _ = writeln!(
        h,
        "<p class=\"small\">{}</p>",
        esc(Msg::UtilisationIntro.text(lang))
    );
    let subs: Vec<(&str, &str)> = e
        .utilisation
        .first()
        .map(|r| {
            r.sub_units
                .iter()
                .map(|(c, n, _)| (c.as_str(), n.as_str()))
                .collect()
        })
        .unwrap_or_default();
    let _ = write!(
        h,
        "<table class=\"utilisation\"><tr><th>{}</th><th>{}</th><th>{}</th><th>{}</th><th>{}</th>",
        esc(Msg::Indicator.text(lang)),
        esc(lang.pick("数值", "value")),
        esc(Msg::Numerator.text(lang)),
        esc(Msg::Denominator.text(lang)),
        esc(Msg::PlanTarget.text(lang)),
    );
    for (code, name) in &subs {
        let _ = write!(h, "<th title=\"{}\">{}</th>", esc(code), esc(name));
    }
    h.push_str("</tr>\n");
    let number = |v: Option<f64>| v.map(format_number).unwrap_or_else(|| "—".into());
    for r in &e.utilisation {
        let value = match (r.value, &r.gap) {
            (Some(v), _) => format!(
                "{} {}",
                format_number(v),
                esc(crate::messages::unit_text(&r.unit, lang))
            ),
            (None, Some(Gap::NumeratorIncomplete { missing })) => {
                esc(&fill(Msg::GapNumerator.text(lang), &[("missing", missing)]))
            }
            (None, Some(Gap::DenominatorIncomplete { missing })) => esc(&fill(
                Msg::GapDenominator.text(lang),
                &[("missing", missing)],
            )),
            (None, Some(Gap::ZeroDenominator)) => esc(Msg::GapZero.text(lang)),
            (None, None) => "—".into(),
        };
        let _ = write!(
            h,
            "<tr><td>{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td><td>{}</td>",
            esc(lang.pick(&r.name_zh, &r.name_en)),
            value,
            format_number(r.numerator),
            number(r.denominator),
            if r.plan_row { "✓" } else { "" },
        );
        for (_, _, v) in &r.sub_units {
            let _ = write!(h, "<td class=\"n\">{}</td>", number(*v));
        }
        h.push_str("</tr>\n");
    }
    h.push_str("</table>\n");
}

/// A share passed, one decimal, rounded down below 100 so that 99.96 % of checks passed
/// never reads as all of them; a dash when nothing was checked.
pub fn pct_cell(v: Option<f64>) -> String {
    match v {
        Some(x) if x >= 100.0 => "100%".into(),
        Some(x) => format!("{:.1}%", (x * 10.0).floor() / 10.0),
        None => "—".into(),
    }
}

/// The data-quality review: scores of the unit and its sub-units, then the findings (at
/// most `limit`).
fn quality(h: &mut String, q: &QualityReview, lang: Lang, limit: usize) {
    if let Some(top) = q.scores.first() {
        let _ = writeln!(
            h,
            "<p>{}</p>",
            esc(&fill(
                Msg::QualityLine.text(lang),
                &[
                    ("facilities", &top.facilities),
                    ("reporting", &top.reporting),
                    ("findings", &top.findings),
                    ("score", &pct_cell(top.score)),
                ]
            ))
        );
    }
    let _ = write!(h, "<table><tr><th>{}</th>", esc(Msg::UnitWord.text(lang)));
    for d in Dimension::ALL {
        let _ = write!(h, "<th>{}</th>", esc(lang.pick(d.zh(), d.en())));
    }
    let _ = writeln!(
        h,
        "<th>{}</th><th>{}</th></tr>",
        esc(Msg::QualityScore.text(lang)),
        esc(Msg::QualityFindings.text(lang))
    );
    for (i, s) in q.scores.iter().enumerate() {
        let _ = write!(
            h,
            "<tr><td>{}{}</td>",
            if i == 0 { "<b>" } else { "" },
            esc(&s.name)
        );
        for d in Dimension::ALL {
            let sc = s.of(d);
            let _ = write!(
                h,
                "<td class=\"n\" title=\"{} / {}\">{}</td>",
                sc.passed,
                sc.checked,
                pct_cell(sc.pct)
            );
        }
        let _ = writeln!(
            h,
            "<td class=\"n\">{}</td><td class=\"n\">{}</td></tr>",
            pct_cell(s.score),
            s.findings
        );
    }
    h.push_str("</table>\n");
    if q.findings.is_empty() {
        let _ = writeln!(h, "<p>{}</p>", esc(Msg::QualityNone.text(lang)));
        return;
    }
    let _ = writeln!(
        h,
        "<table><tr><th>{}</th><th>{}</th><th>{}</th></tr>",
        esc(Msg::QualityCheck.text(lang)),
        esc(Msg::Location.text(lang)),
        esc(Msg::QualityFinding.text(lang))
    );
    for f in q.findings.iter().take(limit) {
        let place = match (&f.facility, &f.facility_name) {
            (Some(id), Some(n)) => format!("{} · {n} ({id})", f.unit_name),
            _ => format!("{} ({})", f.unit_name, f.unit),
        };
        let _ = writeln!(
            h,
            "<tr><td>{}</td><td>{}</td><td>{}</td></tr>",
            esc(lang.pick(f.check.zh(), f.check.en())),
            esc(&place),
            esc(lang.pick(&f.zh, &f.en))
        );
    }
    h.push_str("</table>\n");
    if q.findings.len() > limit {
        let _ = writeln!(
            h,
            "<p class=\"small\">{}</p>",
            esc(&fill(
                Msg::QualityMore.text(lang),
                &[("n", &(q.findings.len() - limit))]
            ))
        );
    }
}

/// A standalone data-quality report (`hsplan quality --format html`), every finding listed.
pub fn render_quality(q: &QualityReview, banners: &[String], lang: Lang) -> String {
    let mut h = String::new();
    let heading = fill(
        Msg::QualityHeading.text(lang),
        &[("unit", &q.unit_name), ("year", &q.year)],
    );
    let _ = write!(
        h,
        "<!DOCTYPE html>\n<html lang=\"{}\">\n<head>\n<meta charset=\"utf-8\">\n<title>{}</title>\n<style>{STYLE}</style>\n</head>\n<body>\n<h1>{}</h1>\n",
        lang.pick("zh-CN", "en"),
        esc(&heading),
        esc(&heading)
    );
    for b in banners {
        let _ = writeln!(h, "<div class=\"banner\">{}</div>", esc(b));
    }
    quality(&mut h, q, lang, usize::MAX);
    let _ = writeln!(
        h,
        "<p class=\"small\">{}</p>\n<p class=\"small\">{}</p>\n</body>\n</html>",
        esc(Msg::QualityMethod.text(lang)),
        esc(Msg::GeneratedBy.text(lang))
    );
    h
}

fn access(h: &mut String, a: &AccessSection, lang: Lang) {
    let _ = writeln!(
        h,
        "<p class=\"small\">{} · {}</p>",
        esc(&a.note),
        esc(&a.facilities)
    );
    let _ = write!(
        h,
        "<table><tr><th>{}</th><th>{}</th>",
        esc(Msg::UnitWord.text(lang)),
        esc(Msg::Population.text(lang))
    );
    for t in &a.thresholds_min {
        let _ = write!(
            h,
            "<th>{}</th>",
            esc(&fill(Msg::WithinMinutes.text(lang), &[("t", t)]))
        );
    }
    let _ = writeln!(h, "<th>{}</th></tr>", esc(Msg::StandardShare.text(lang)));
    for (name, pop, shares, standard) in &a.rows {
        let _ = write!(h, "<tr><td>{}</td><td class=\"n\">{pop:.0}</td>", esc(name));
        for s in shares {
            let _ = write!(h, "<td>{}</td>", svg::progress_bar(*s, "#2b5d8a"));
        }
        let _ = writeln!(
            h,
            "<td class=\"n\">{}</td></tr>",
            standard
                .map(|s| format!("{s:.1}%"))
                .unwrap_or_else(|| "—".into())
        );
    }
    h.push_str("</table>\n");
    if !a.farthest.is_empty() {
        let cells: Vec<String> = a
            .farthest
            .iter()
            .map(|(n, p, m)| {
                format!(
                    "{n}（{p:.0}）{}",
                    m.map(|m| format!(" {m:.1} min"))
                        .unwrap_or_else(|| " —".into())
                )
            })
            .collect();
        let _ = writeln!(
            h,
            "<p class=\"small\">{}：{}</p>",
            esc(Msg::Farthest.text(lang)),
            esc(&cells.join(" · "))
        );
    }
}

fn indicator_table<'a>(
    h: &mut String,
    e: &Evaluation,
    rows: impl Iterator<Item = &'a EvaluatedIndicator>,
    trends: &BTreeMap<&str, &[(i32, f64)]>,
    lang: Lang,
) {
    let heads = [
        Msg::Indicator,
        Msg::Baseline,
        Msg::TargetWord,
        Msg::Expected,
        Msg::Actual,
        Msg::Progress,
        Msg::StatusWord,
        Msg::TrendWord,
        Msg::Outlook,
    ];
    h.push_str("<table><tr>");
    for m in heads {
        let _ = write!(h, "<th>{}</th>", esc(m.text(lang)));
    }
    h.push_str("</tr>\n");
    for r in rows {
        let progress = r
            .progress_pct
            .map(|p| svg::progress_bar(p, status_colour(r.status)))
            .unwrap_or_else(|| "—".into());
        let target = hsplan_plan_number(&r.target);
        let trend = trends
            .get(r.id.as_str())
            .map(|v| svg::sparkline(v, target, e.target_year))
            .unwrap_or_default();
        let _ = writeln!(
            h,
            "<tr><td>{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td>\
             <td class=\"n\">{}</td><td>{progress}</td><td><span class=\"badge\" style=\"background:{}\">{}</span></td>\
             <td>{trend}</td><td class=\"small\">{}</td></tr>",
            name_cell(r, lang),
            esc(&r.baseline),
            esc(&r.target),
            esc(&format_value(&r.target, r.expected)),
            esc(&format_value(&r.target, r.actual)),
            status_colour(r.status),
            esc(status_label(r.status, lang)),
            esc(&outlook(r, e.target_year, lang)),
        );
    }
    h.push_str("</table>\n");
}

/// The number in a published target, if it has one.
fn hsplan_plan_number(text: &str) -> Option<f64> {
    hsplan_plan::PublishedValue::parse(text).number()
}

/// "2025年预计x，差y；较现有需新增N（人口预测表）".
pub fn outlook(r: &EvaluatedIndicator, target_year: i32, lang: Lang) -> String {
    let mut parts = Vec::new();
    if let (Some(p), Some(reach)) = (r.projection, r.will_reach) {
        let value = format_value(&r.target, Some(p.linear));
        if reach {
            parts.push(fill(
                Msg::ProjectionReach.text(lang),
                &[("year", &target_year), ("value", &value)],
            ));
        } else {
            let miss = hsplan_plan_number(&r.target)
                .map(|t| format!("{:.2}", (t - p.linear).abs()))
                .unwrap_or_else(|| "—".into());
            parts.push(fill(
                Msg::ProjectionMiss.text(lang),
                &[("year", &target_year), ("value", &value), ("miss", &miss)],
            ));
        }
    }
    if let (Some(n), Some(pop)) = (r.gap, r.projected_population)
        && n > 0
    {
        let basis = match pop.basis {
            hsplan_eval::evaluate::PopulationBasis::Table => Msg::PopulationFromTable,
            hsplan_eval::evaluate::PopulationBasis::Trend => Msg::PopulationFromTrend,
        };
        parts.push(format!(
            "{}（{}）",
            fill(Msg::GapUnits.text(lang), &[("n", &n)]),
            basis.text(lang)
        ));
    }
    parts.join(lang.pick("；", "; "))
}

/// Indicators drawn as maps: the equity densities, then every binding indicator whose
/// sub-units differ.
fn mapped(e: &Evaluation) -> Vec<&League> {
    let mut ids: Vec<&str> = hsplan_eval::report::EQUITY_INDICATORS.to_vec();
    ids.extend(
        e.indicators
            .iter()
            .filter(|r| r.binding)
            .map(|r| r.id.as_str()),
    );
    let mut out: Vec<&League> = Vec::new();
    for id in ids {
        if let Some(l) = e.leagues.iter().find(|l| l.id == id && !l.uniform)
            && !out.iter().any(|o| o.id == l.id)
        {
            out.push(l);
        }
    }
    out
}

fn sub_units(h: &mut String, e: &Evaluation, ctx: &Context<'_>, lang: Lang) {
    let leagues = mapped(e);
    let by_id: BTreeMap<&str, &EvaluatedIndicator> =
        e.indicators.iter().map(|r| (r.id.as_str(), r)).collect();
    let have_maps = e
        .sub_units
        .iter()
        .all(|s| ctx.boundaries.contains_key(&s.code))
        && !e.sub_units.is_empty();
    if !have_maps {
        let _ = writeln!(
            h,
            "<p class=\"small\">{}</p>",
            esc(Msg::NoBoundaries.text(lang))
        );
    }
    h.push_str("<div class=\"maps\">\n");
    for l in &leagues {
        let Some(r) = by_id.get(l.id.as_str()) else {
            continue;
        };
        let caption = fill(
            Msg::MapCaption.text(lang),
            &[("indicator", &name(r, lang)), ("year", &e.year)],
        );
        let _ = writeln!(
            h,
            "<figure class=\"map\"><figcaption>{}</figcaption>",
            esc(&caption)
        );
        if have_maps {
            let areas: Vec<svg::Area> = e
                .sub_units
                .iter()
                .map(|s| svg::Area {
                    name: s.name.clone(),
                    shape: &ctx.boundaries[&s.code],
                    value: l
                        .rows
                        .iter()
                        .find(|x| x.unit == s.code)
                        .and_then(|x| x.value),
                })
                .collect();
            h.push_str(&svg::choropleth(&areas, 360.0, 300.0, &|v| {
                format_value(&r.target, Some(v))
            }));
        }
        let bars: Vec<(String, Option<f64>)> =
            l.rows.iter().map(|x| (x.name.clone(), x.value)).collect();
        h.push_str(&svg::bar_chart(&bars, 360.0, &|v| {
            format_value(&r.target, Some(v))
        }));
        h.push_str("</figure>\n");
    }
    h.push_str("</div>\n");
    // The full ranking of every other indicator computable per sub-unit.
    let others: Vec<&League> = e
        .leagues
        .iter()
        .filter(|l| !l.uniform && !leagues.iter().any(|m| m.id == l.id))
        .collect();
    if !others.is_empty() {
        let _ = writeln!(
            h,
            "<table><tr><th>{}</th><th>{}</th></tr>",
            esc(Msg::Indicator.text(lang)),
            esc(Msg::RankingHeading.text(lang))
        );
        for l in others {
            let Some(r) = by_id.get(l.id.as_str()) else {
                continue;
            };
            let cells: Vec<String> = l
                .rows
                .iter()
                .map(|x| format!("{} {}", x.name, format_value(&r.target, x.value)))
                .collect();
            let _ = writeln!(
                h,
                "<tr><td>{}</td><td class=\"small\">{}</td></tr>",
                esc(name(r, lang)),
                esc(&cells.join(" · "))
            );
        }
        h.push_str("</table>\n");
    }
}

fn problems(h: &mut String, e: &Evaluation, lang: Lang) {
    let mut found: Vec<&EvaluatedIndicator> = e
        .indicators
        .iter()
        .filter(|r| {
            matches!(
                r.status,
                Status::Lagging | Status::OffTrack | Status::Regressing
            )
        })
        .collect();
    // Worst first: regressing, off track, lagging; binding before expected.
    found.sort_by_key(|r| (std::cmp::Reverse(r.status), !r.binding));
    if found.is_empty() {
        let _ = writeln!(h, "<p>{}</p>", esc(Msg::NoProblems.text(lang)));
        return;
    }
    h.push_str("<ol>\n");
    for r in found {
        let line = fill(
            Msg::ProblemLine.text(lang),
            &[
                ("indicator", &name(r, lang)),
                ("status", &status_label(r.status, lang)),
                ("year", &e.year),
                ("actual", &format_value(&r.target, r.actual)),
                ("expected", &format_value(&r.target, r.expected)),
            ],
        );
        let more = outlook(r, e.target_year, lang);
        let sep = if more.is_empty() {
            ""
        } else {
            lang.pick("；", "; ")
        };
        let _ = writeln!(
            h,
            "<li>{}{}{}{}</li>",
            if r.binding { "★ " } else { "" },
            esc(&line),
            sep,
            esc(&more)
        );
    }
    h.push_str("</ol>\n");
}

fn standards(h: &mut String, s: &StandardsSection, lang: Lang) {
    let _ = writeln!(
        h,
        "<p>{}</p>",
        esc(&fill(
            Msg::RulesChecked.text(lang),
            &[
                ("rules", &s.rules),
                ("checked", &s.checked),
                ("violations", &s.violations.len())
            ]
        ))
    );
    if s.violations.is_empty() {
        let _ = writeln!(h, "<p>{}</p>", esc(Msg::NoViolations.text(lang)));
        return;
    }
    if !s.by_district.is_empty() {
        let cells: Vec<String> = s
            .by_district
            .iter()
            .map(|(d, n)| format!("{d} {n}"))
            .collect();
        let _ = writeln!(
            h,
            "<p class=\"small\">{}：{}</p>",
            esc(Msg::ByDistrict.text(lang)),
            esc(&cells.join(" · "))
        );
    }
    h.push_str("<table><tr>");
    for m in [
        Msg::Severity,
        Msg::Rule,
        Msg::Location,
        Msg::Observed,
        Msg::Required,
        Msg::Shortfall,
    ] {
        let _ = write!(h, "<th>{}</th>", esc(m.text(lang)));
    }
    h.push_str("</tr>\n");
    for v in &s.violations {
        let _ = writeln!(
            h,
            "<tr><td>{}</td><td>{}</td><td>{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td><td>{}</td></tr>",
            esc(&v.severity),
            esc(&v.rule),
            esc(&v.location),
            esc(&v.observed),
            esc(&v.required),
            esc(&v.shortfall)
        );
    }
    h.push_str("</table>\n");
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escaping_and_numbers() {
        assert_eq!(
            esc("<a href=\"x\">&'"),
            "&lt;a href=&quot;x&quot;&gt;&amp;&#39;"
        );
        assert_eq!(hsplan_plan_number("≥3.2"), Some(3.2));
        assert_eq!(hsplan_plan_number("1:1.3"), Some(1.3));
        assert_eq!(hsplan_plan_number("—"), None);
        assert_eq!(format_value("1:1.3", Some(1.234)), "1:1.23");
        assert_eq!(format_value("7.5", None), "—");
        assert_eq!(pct_cell(Some(99.96)), "99.9%");
        assert_eq!(pct_cell(Some(100.0)), "100%");
        assert_eq!(pct_cell(Some(92.0)), "92.0%");
        assert_eq!(pct_cell(None), "—");
    }
}
