//! Solves the OR-Library p-median instances in a folder (pmed1.txt … with OPTIMA.tsv) and
//! prints, per instance, the objective, the Lagrangian bound, the gap to the bound and to
//! the published optimum, and the time; then totals.
//!
//! `cargo run --release -p hsplan-siting --example orlib -- ../shared/data/orlib-pmed`

use hsplan_siting::{PMedianOptions, orlib, pmedian};
use std::time::Instant;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().collect();
    let dir = std::path::PathBuf::from(
        args.get(1)
            .map(String::as_str)
            .unwrap_or("../shared/data/orlib-pmed"),
    );
    let only: Option<Vec<String>> = args
        .get(2)
        .map(|s| s.split(',').map(str::to_string).collect());
    let optima_text = std::fs::read_to_string(dir.join("OPTIMA.tsv"))?;
    let mut optima = Vec::new();
    for line in optima_text.lines().skip(1) {
        let f: Vec<&str> = line.split('\t').collect();
        if f.len() >= 4 {
            optima.push((f[0].to_string(), f[3].trim().parse::<f64>()?));
        }
    }
    println!(
        "instance\tn\tp\tobjective\tbound\toptimum\tgap_to_bound_pct\tgap_to_optimum_pct\tseconds"
    );
    let mut total_read = 0.0;
    let (mut total_s, mut sum_gap, mut worst, mut count, mut at_opt) = (0.0, 0.0, 0.0f64, 0, 0);
    for (name, optimum) in &optima {
        if let Some(o) = &only
            && !o.contains(name)
        {
            continue;
        }
        let text = std::fs::read_to_string(dir.join(format!("{name}.txt")))?;
        let start = Instant::now();
        let inst = orlib::parse(name, &text)?;
        let problem = inst.instance();
        let read = start.elapsed().as_secs_f64();
        let s = pmedian(&problem, &PMedianOptions::new(inst.p))?;
        let secs = start.elapsed().as_secs_f64();
        total_read += read;
        let gap_opt = (s.objective - optimum) / optimum * 100.0;
        println!(
            "{name}\t{}\t{}\t{:.0}\t{:.0}\t{optimum:.0}\t{:.3}\t{:.3}\t{secs:.3}\t{}",
            inst.vertices,
            inst.p,
            s.objective,
            s.bound,
            s.gap * 100.0,
            gap_opt,
            method_line(&s.method)
        );
        total_s += secs;
        sum_gap += gap_opt;
        worst = worst.max(gap_opt);
        count += 1;
        if gap_opt.abs() < 1e-9 {
            at_opt += 1;
        }
    }
    println!(
        "# {count} instances: {at_opt} at the optimum, mean gap to optimum {:.4} %, worst {:.3} %, total {total_s:.2} s, of which {total_read:.2} s reading, all-pairs distances and cost lists",
        sum_gap / count.max(1) as f64,
        worst
    );
    Ok(())
}

/// The method in one line.
fn method_line(m: &hsplan_siting::Method) -> String {
    format!("{m:?}")
}
