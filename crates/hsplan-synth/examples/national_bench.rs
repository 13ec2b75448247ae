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

use hsplan_model::{AdminLevel, Labelled, Year};
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

fn main() -> std::io::Result<()> {
    let args: Vec<String> = std::env::args().collect();
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

    // CSV for the peer.
    let t = Instant::now();
    let file = |name: &str| {
        std::io::BufWriter::with_capacity(1 << 20, std::fs::File::create(out.join(name)).unwrap())
    };
    let mut w = file("units.csv");
    writeln!(w, "code")?;
    for u in &data.units {
        writeln!(w, "{}", u.get())?;
    }
    w.flush()?;
    let mut w = file("facilities.csv");
    writeln!(w, "fid,unit,kind,grade,ownership")?;
    for (i, f) in data.facilities.iter().enumerate() {
        writeln!(
            w,
            "{i},{},{},{},{}",
            f.unit.get(),
            f.kind.code(),
            f.grade.code(),
            f.ownership.code()
        )?;
    }
    w.flush()?;
    let mut w = file("resources.csv");
    writeln!(
        w,
        "fid,year,beds,licensed_doctors,assistant_doctors,nurses,gps,paediatricians,ambulances,fever_clinic"
    )?;
    for r in &data.resources {
        writeln!(
            w,
            "{},{},{},{},{},{},{},{},{},{}",
            r.facility,
            spec.years[r.year as usize].get(),
            r.beds,
            r.licensed_doctors,
            r.assistant_doctors,
            r.nurses,
            r.gps,
            r.paediatricians,
            r.ambulances,
            r.fever_clinic
        )?;
    }
    w.flush()?;
    let mut w = file("population.csv");
    writeln!(w, "unit,year,resident,age_0_14")?;
    for p in &data.population {
        writeln!(
            w,
            "{},{},{},{}",
            data.units[p.unit as usize].get(),
            spec.years[p.year as usize].get(),
            p.resident,
            p.age_0_14
        )?;
    }
    w.flush()?;
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

    // Digest and sample for the comparison.
    let mut w = file("hsplan-digest.csv");
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
    let mut w = file("hsplan-sample.csv");
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
    w.flush()?;
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
