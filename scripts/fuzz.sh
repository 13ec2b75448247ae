#!/usr/bin/env bash
# Runs the cargo-fuzz targets of fuzz/ (every parser of hsplan's inputs), each for SECONDS,
# starting from the committed seed corpora in fuzz/seeds/<target>/ (new inputs go to
# fuzz/corpus/<target>/, not committed). Stable Rust: no sanitizer (safe Rust), with debug
# assertions, so integer overflow and every assertion count as crashes.
#   scripts/fuzz.sh SECONDS [TARGET…]      (default: all targets)
#   JOBS=2 scripts/fuzz.sh 600             (targets side by side)
# Needs cargo-fuzz (cargo install cargo-fuzz --locked). Prints executions per target;
# a crash leaves its input in fuzz/artifacts/<target>/ and the exit code non-zero.
set -euo pipefail
cd "$(dirname "$0")/../fuzz"
secs=${1:?seconds per target}
shift || true
targets=("$@")
if [ ${#targets[@]} -eq 0 ]; then
    targets=(plan_toml standards_toml csv_table xlsx_table unit_geojson osm_pbf road_geojson graph_file scenario_json fhir_bundle dhis2_values dhis2_metadata system_files)
fi
cargo +stable fuzz build -s none -O -a
mkdir -p logs
run() {
    local t=$1
    mkdir -p "corpus/$t"
    if cargo +stable fuzz run -s none -O -a "$t" "corpus/$t" "seeds/$t" -- \
        -max_total_time="$secs" -timeout=20 -rss_limit_mb=4096 -print_final_stats=1 \
        >"logs/$t.log" 2>&1; then
        echo "$t: $(grep -m1 'stat::number_of_executed_units' "logs/$t.log" | awk '{print $2}') executions in ${secs} s, no crash"
    else
        echo "$t: FAILED (see fuzz/logs/$t.log and fuzz/artifacts/$t/)"
        tail -30 "logs/$t.log"
        return 1
    fi
}
status=0
jobs=${JOBS:-1}
pids=()
for t in "${targets[@]}"; do
    run "$t" &
    pids+=($!)
    if [ ${#pids[@]} -ge "$jobs" ]; then
        wait "${pids[0]}" || status=1
        pids=("${pids[@]:1}")
    fi
done
for p in "${pids[@]}"; do wait "$p" || status=1; done
exit $status
