#!/usr/bin/env bash
# Runs schemathesis against `hsplan demo --serve` on loopback: every operation of
# /api/openapi.json with every check (no 5xx, responses within their schemas, documented
# status codes and content types, schema-valid requests accepted, invalid ones refused,
# stateful links). Uploads, standards files and scenario apply take arbitrary bytes, TOML or
# institution types, which the server rightly refuses with located 422s, so they run every
# check but "schema-valid request accepted".
#   usage: scripts/api-fuzz.sh [HSPLAN_BINARY]   (default target/debug/hsplan)
set -euo pipefail
cd "$(dirname "$0")/.."
bin=${1:-target/debug/hsplan}
venv=${HSPLAN_FUZZ_VENV:-target/api-fuzz-venv}
if [ ! -x "$venv/bin/schemathesis" ]; then
    python3 -m venv "$venv"
    "$venv/bin/pip" install -q -r scripts/requirements-api-fuzz.txt
fi
work=$(mktemp -d)
log="$work/serve.log"
"$bin" --lang en demo --serve --addr 127.0.0.1:0 --out "$work/demo" >"$log" 2>&1 &
server=$!
trap 'kill $server 2>/dev/null || true; rm -rf "$work"' EXIT
url=""
# the demo is built first (Chongqing's 38 districts and Leshan Shizhong: about 40 s in a debug build)
for _ in $(seq 1 3000); do
    url=$(grep -o 'http://127\.0\.0\.1:[0-9]*' "$log" | head -1 || true)
    [ -n "$url" ] && break
    sleep 0.1
done
[ -n "$url" ] || { cat "$log"; echo "the server did not start"; exit 1; }
st="$venv/bin/schemathesis"
common=(--generation-deterministic -n "${HSPLAN_FUZZ_EXAMPLES:-30}" -w 1)
free_form=(/api/imports/{kind} /api/scenarios/{name}/apply /api/standards/check)
# accounts, data entry, approval and audit answer 409 needs-server-store on an SQLite store;
# they are fuzzed below against a shared (PostgreSQL) store, once per role
shared=(/api/session /api/me /api/facilities/{id}/years/{year} /api/approvals /api/approvals/{unit}/{year}/{action} /api/audit /api/audit/export)
echo "== schemathesis: every operation but free-form uploads, all checks ($url)"
"$st" run "$url/api/openapi.json" --checks all "${common[@]}" \
    $(printf -- "--exclude-path %s " "${free_form[@]}" "${shared[@]}")
echo "== schemathesis: free-form uploads, all checks but positive data acceptance"
"$st" run "$url/api/openapi.json" --checks all --exclude-checks positive_data_acceptance "${common[@]}" \
    $(printf -- "--include-path %s " "${free_form[@]}")

# ---- the shared server: every operation with a token per role, scoped to one town
admin="${HSPLAN_TEST_PG:-postgres://postgres@127.0.0.1:5432/test}"
db="hsplan_fuzz_$$"
pg="${admin%/*}/$db"
psql "$admin" -qc "CREATE DATABASE $db"
trap 'kill $server 2>/dev/null || true; kill $pgserver 2>/dev/null || true; psql "$admin" -qc "DROP DATABASE IF EXISTS $db WITH (FORCE)" >/dev/null; rm -rf "$work"' EXIT
"$bin" --db "$pg" import demo >/dev/null
password="fuzzing password 1"
for role in admin planner data_entry approver viewer; do
    echo "$password" | "$bin" --db "$pg" user add "$role" >/dev/null
    "$bin" --db "$pg" user grant "$role" "$role" 500109001 >/dev/null
done
"$bin" --db "$pg" export units --out "$work/units.csv" >/dev/null
"$bin" --db "$pg" export facilities --out "$work/facilities.csv" >/dev/null
# names outside 天生街道 (500109001): the other towns of Beibei and their facilities
outside=$(python3 - "$work" <<'PY'
import csv, sys
w = sys.argv[1]
towns = [r for r in csv.DictReader(open(f"{w}/units.csv", encoding="utf-8"))
         if r["code"].startswith("500109") and r["code"][9:] == "000" and r["code"][6:9] not in ("000", "001")]
inside = [r["name"] for r in csv.DictReader(open(f"{w}/facilities.csv", encoding="utf-8")) if r["unit_code"].startswith("500109001")]
facs = [r["name"] for r in csv.DictReader(open(f"{w}/facilities.csv", encoding="utf-8"))
        if r["unit_code"].startswith("500109") and not r["unit_code"].startswith("500109001")]
names = [t["name"] for t in towns] + [f for f in facs if not any(f in i for i in inside)]
print("|".join(names))
PY
)
pglog="$work/serve-pg.log"
"$bin" --lang en --db "$pg" serve --addr 127.0.0.1:0 >"$pglog" 2>&1 &
pgserver=$!
pgurl=""
for _ in $(seq 1 600); do
    pgurl=$(grep -o 'http://127\.0\.0\.1:[0-9]*' "$pglog" | head -1 || true)
    [ -n "$pgurl" ] && break
    sleep 0.1
done
[ -n "$pgurl" ] || { cat "$pglog"; echo "the shared server did not start"; exit 1; }
export HSPLAN_OUTSIDE_NAMES="$outside"
export SCHEMATHESIS_HOOKS=api_fuzz_hooks
export PYTHONPATH="$PWD/scripts${PYTHONPATH:+:$PYTHONPATH}"
for role in admin planner data_entry approver viewer; do
    token=$(curl -sf -X POST "$pgurl/api/session" -H 'content-type: application/json' \
        -d "{\"user\":\"$role\",\"password\":\"$password\"}" | python3 -c 'import json,sys; print(json.load(sys.stdin)["token"])')
    echo "== schemathesis on the shared store as $role (scope 天生街道): no 5xx, documented answers, nothing from outside scope"
    "$st" run "$pgurl/api/openapi.json" "${common[@]}" -H "Authorization: Bearer $token" \
        --checks not_a_server_error,status_code_conformance,content_type_conformance,response_schema_conformance,no_data_outside_scope \
        --exclude-path /api/session
done
