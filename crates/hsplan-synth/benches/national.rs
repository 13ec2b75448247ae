//! Criterion benchmark of the columnar whole-system evaluation on a synthetic national
//! system (scaled down to 50,000 villages so it runs in seconds; the full-scale run against
//! DuckDB is `benches/national_vs_duckdb.py`).

use criterion::{Criterion, criterion_group, criterion_main};
use hsplan_model::Year;
use hsplan_synth::national::{BENCH_INDICATORS, NationalSpec, national};

fn columnar(c: &mut Criterion) {
    let data = national(&NationalSpec {
        villages: 50_000,
        facilities: 70_000,
        years: (2019..=2024).map(|y| Year::new(y).unwrap()).collect(),
        seed: 1,
    });
    let columns = data.to_columns().unwrap();
    let defs: Vec<_> = BENCH_INDICATORS
        .iter()
        .map(|id| hsplan_eval::find(id).unwrap())
        .collect();
    let mut group = c.benchmark_group("national_50k_villages");
    group.sample_size(10);
    group.bench_function("evaluate_10_indicators_6_years_1_thread", |b| {
        b.iter(|| columns.evaluate(&defs, 1))
    });
    group.bench_function("evaluate_10_indicators_6_years_2_threads", |b| {
        b.iter(|| columns.evaluate(&defs, 2))
    });
    group.finish();
}

criterion_group!(benches, columnar);
criterion_main!(benches);
