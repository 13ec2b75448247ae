//! National-scale evaluation benchmark (hsplan side). Run by `benches/national_vs_duckdb.py`,
//! which runs DuckDB on the same files and compares.
//!
//! Generates the synthetic national system, writes it as CSV for the peer, lays it out in
//! columns and evaluates the benchmark indicators for every unit and year, `--repeat` times.
//! Writes `hsplan-digest.csv` (per indicator, year and level: count and sum of values) and
//! `hsplan-sample.csv` (values of every 1000th unit), and prints timings as JSON.
//!
//! cargo run --release -p hsplan-synth --example national_bench -- --out DIR
//!     [--villages 700000] [--facilities 1000000] [--years 6] [--repeat 5] [--threads 2]
//!
//! With `--read DIR` it instead reads the files written there straight into columns
//! (`hsplan_io::columns::read_dir`), evaluates once, and prints read, evaluation and total
//! times; digest and sample go to `hsplan-read-digest.csv` / `hsplan-read-sample.csv`.

use hsplan_model::{AdminLevel, Year};
use hsplan_synth::national::{BENCH_INDICATORS, NationalSpec, national};
use std::io::Write;
use std::time::Instant;

fn arg(args: &[String], name: &str, default: &str) -> String {
    args.iter()
        .position(|a| a == name)
        .and_then(|i| args.get(i + 1))
        .cloned()
        .unwrap_or_else(|| default.to_string())
}

fn level_name(l: AdminLevel) -> &'static str {
    match l {
        AdminLevel::Province => "province",
        AdminLevel::Prefecture => "prefecture",
        AdminLevel::County => "county",
        AdminLevel::Town => "town",
        AdminLevel::Village => "village",
    }
}

/// Per indicator, year and level the count and sum of values (`<prefix>-digest.csv`), and
/// the values of every 1000th unit (`<prefix>-sample.csv`), for the comparison.
fn write_digest(
    out: &std::path::Path,
    prefix: &str,
    columns: &hsplan_eval::columnar::Columns,
    result: &hsplan_eval::columnar::ColumnarResult,
) -> std::io::Result<()> {
    let file = |name: String| {
        std::io::BufWriter::with_capacity(1 << 20, std::fs::File::create(out.join(name)).unwrap())
    };
    let mut w = file(format!("{prefix}-digest.csv"));
    writeln!(w, "indicator,year,level,n,sum")?;
    let levels: Vec<AdminLevel> = columns.units().iter().map(|u| u.level()).collect();
    for ((id, year), col) in &result.values {
        let mut by_level = std::collections::BTreeMap::new();
        for (u, v) in col.iter().enumerate() {
            if let Ok(v) = v {
                let e = by_level
                    .entry(level_name(levels[u]))
                    .or_insert((0u64, 0.0f64));
                e.0 += 1;
                e.1 += v;
            }
        }
        for (level, (n, sum)) in by_level {
            writeln!(w, "{id},{},{level},{n},{sum:.9e}", year.get())?;
        }
    }
    w.flush()?;
    let mut w = file(format!("{prefix}-sample.csv"));
    writeln!(w, "indicator,year,unit,value")?;
    for ((id, year), col) in &result.values {
        for (u, v) in col.iter().enumerate().step_by(1000) {
            if let Ok(v) = v {
                writeln!(
                    w,
                    "{id},{},{},{v:.12e}",
                    year.get(),
                    columns.units()[u].get()
                )?;
            }
        }
    }
    w.flush()
}

/// `--read DIR`: the whole path a planner runs, timed as one: the four CSV files read
/// straight into columns, then every indicator for every unit and year.
fn read_and_evaluate(dir: &std::path::Path, threads: usize) -> std::io::Result<()> {
    let defs: Vec<_> = BENCH_INDICATORS
        .iter()
        .map(|id| hsplan_eval::find(id).expect("library indicator"))
        .collect();
    let t = Instant::now();
    let columns = hsplan_io::columns::read_dir(dir, threads)
        .map_err(|e| std::io::Error::other(e.to_string()))?;
    let read_s = t.elapsed().as_secs_f64();
    let peak_read = peak_resident_gb();
    let t = Instant::now();
    let result = columns.evaluate(&defs, threads);
    let evaluate_s = t.elapsed().as_secs_f64();
    write_digest(dir, "hsplan-read", &columns, &result)?;
    println!(
        "{{\"units\": {}, \"facilities\": {}, \"threads\": {threads}, \"read_s\": {read_s:.3}, \"evaluate_s\": {evaluate_s:.3}, \"total_s\": {:.3}, \"peak_after_read_gb\": {peak_read:.2}, \"peak_gb\": {:.2}}}",
        columns.units().len(),
        columns.facility_count(),
        read_s + evaluate_s,
        peak_resident_gb()
    );
    Ok(())
}

/// The process's peak resident memory so far in GB (VmHWM; 0 where /proc is absent).
fn peak_resident_gb() -> f64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmHWM:"))
                .and_then(|l| l.split_whitespace().nth(1))
                .and_then(|kb| kb.parse::<f64>().ok())
        })
        .map_or(0.0, |kb| kb * 1024.0 / 1e9)
}

fn main() -> std::io::Result<()> {
    let args: Vec<String> = std::env::args().collect();
    let threads_arg: usize = arg(&args, "--threads", "2").parse().expect("--threads");
    if let Some(i) = args.iter().position(|a| a == "--read") {
        let dir = args.get(i + 1).expect("--read DIR");
        return read_and_evaluate(std::path::Path::new(dir), threads_arg);
    }
    let out = std::path::PathBuf::from(arg(&args, "--out", "target/national-bench"));
    let villages: usize = arg(&args, "--villages", "700000")
        .parse()
        .expect("--villages");
    let facilities: usize = arg(&args, "--facilities", "1000000")
        .parse()
        .expect("--facilities");
    let n_years: i64 = arg(&args, "--years", "6").parse().expect("--years");
    let repeat: usize = arg(&args, "--repeat", "5").parse().expect("--repeat");
    let threads: usize = arg(&args, "--threads", "2").parse().expect("--threads");
    std::fs::create_dir_all(&out)?;
    let spec = NationalSpec {
        villages,
        facilities,
        years: (0..n_years)
            .map(|i| Year::new(2019 + i).expect("year"))
            .collect(),
        seed: 20_251_123,
    };
    let t = Instant::now();
    let data = national(&spec);
    let generate_s = t.elapsed().as_secs_f64();

    // CSV for the peer, and for the read-from-files run.
    let t = Instant::now();
    data.write_csv(&out)?;
    let write_s = t.elapsed().as_secs_f64();

    let t = Instant::now();
    let columns = data.to_columns().expect("generated data is consistent");
    let layout_s = t.elapsed().as_secs_f64();
    let defs: Vec<_> = BENCH_INDICATORS
        .iter()
        .map(|id| hsplan_eval::find(id).expect("library indicator"))
        .collect();
    let mut times = Vec::new();
    let mut result = None;
    for _ in 0..repeat.max(1) {
        let t = Instant::now();
        let r = columns.evaluate(&defs, threads);
        times.push(t.elapsed().as_secs_f64());
        result = Some(r);
    }
    let result = result.expect("at least one run");
    times.sort_by(f64::total_cmp);

    write_digest(&out, "hsplan", &columns, &result)?;
    println!(
        "{{\"units\": {}, \"villages\": {}, \"facilities\": {}, \"facility_years\": {}, \"years\": {}, \"indicators\": {}, \"threads\": {threads}, \"generate_s\": {generate_s:.3}, \"write_csv_s\": {write_s:.3}, \"layout_s\": {layout_s:.3}, \"evaluate_min_s\": {:.4}, \"evaluate_median_s\": {:.4}, \"repeat\": {}}}",
        columns.units().len(),
        villages,
        columns.facility_count(),
        data.resources.len(),
        spec.years.len(),
        defs.len(),
        times[0],
        times[times.len() / 2],
        times.len()
    );
    Ok(())
}
