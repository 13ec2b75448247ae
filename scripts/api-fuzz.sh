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
for _ in $(seq 1 600); do
    url=$(grep -o 'http://127\.0\.0\.1:[0-9]*' "$log" | head -1 || true)
    [ -n "$url" ] && break
    sleep 0.1
done
[ -n "$url" ] || { cat "$log"; echo "the server did not start"; exit 1; }
st="$venv/bin/schemathesis"
common=(--generation-deterministic -n "${HSPLAN_FUZZ_EXAMPLES:-30}" -w 1)
free_form=(/api/imports/{kind} /api/scenarios/{name}/apply /api/standards/check)
echo "== schemathesis: every operation but free-form uploads, all checks ($url)"
"$st" run "$url/api/openapi.json" --checks all "${common[@]}" \
    $(printf -- "--exclude-path %s " "${free_form[@]}")
echo "== schemathesis: free-form uploads, all checks but positive data acceptance"
"$st" run "$url/api/openapi.json" --checks all --exclude-checks positive_data_acceptance "${common[@]}" \
    $(printf -- "--include-path %s " "${free_form[@]}")
