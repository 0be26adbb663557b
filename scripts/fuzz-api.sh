#!/usr/bin/env bash
# Hostile input against the live HTTP API (issue 9): schemathesis generates
# valid and invalid requests for every operation in /openapi.json and checks
# that none gets a 5xx, and that every 4xx is the API's error body
# `{code, message}` with a code listed in the document's `x-error-codes`.
#
# Usage: scripts/fuzz-api.sh
#   PATMATCH_DATA_DIR  data dir with the imported and indexed corpus (./data)
#   PORT               port served on 127.0.0.1 (8095)
#   FUZZ_EXAMPLES      test cases per operation and phase (500; see below)
#   FUZZ_SEED          schemathesis seed (20261125), so a run can be repeated
#   FUZZ_WORKERS       concurrent schemathesis workers (2: the machine has 2 cores)
#   FUZZ_BUILD         release (default), or debug: a debug build has overflow
#                      checks, so arithmetic that a release build silently
#                      wraps answers 500 and is found (slower to build and run)
# Exits 0 only if the run made at least 10,000 requests, none answered 5xx
# and no 4xx had an undocumented code.
set -euo pipefail
cd "$(dirname "$0")/.."

source_dir=${PATMATCH_DATA_DIR:-./data}
port=${PORT:-8095}
examples=${FUZZ_EXAMPLES:-500}
seed=${FUZZ_SEED:-20261125}
workers=${FUZZ_WORKERS:-2}
# Pinned: the hook and check API (`@schemathesis.check`, `before_call`,
# `after_call`) and the CLI options below are those of 4.x.
schemathesis_version=4.32.5
min_requests=10000

venv=target/fuzz-venv
out=target/fuzz-report
# The run writes: keys, profiles, shortlists, feedback, possibly listings.
# It works on a scratch copy so that the real data dir (which the README's
# examples and scripts/main-job.sh serve) never holds fuzzing debris, and so
# that every run starts from the same state.
scratch=target/fuzz-data

# A venv of our own: schemathesis pulls in many packages, none of which the
# system Python should get.
if [ ! -x "$venv/bin/schemathesis" ] ||
    ! "$venv/bin/schemathesis" --version 2>/dev/null | grep -q "$schemathesis_version"; then
    python3 -m venv "$venv"
    "$venv/bin/pip" install --quiet "schemathesis==$schemathesis_version"
fi
py="$venv/bin/python"

# Fuzzing an empty store exercises only the 404 paths; the corpus comes from
# scripts/main-job.sh (import + index).
listings=$("$py" - "$source_dir/patmatch.db" <<'EOF'
import sqlite3, sys, os
path = sys.argv[1]
if not os.path.exists(path):
    print(0)
    sys.exit()
try:
    db = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    print(db.execute("select count(*) from listings").fetchone()[0])
except sqlite3.Error:
    print(0)
EOF
)
if [ "$listings" -eq 0 ] || [ ! -d "$source_dir/index" ]; then
    echo "no indexed listings in $source_dir: run scripts/main-job.sh first" >&2
    exit 1
fi

case ${FUZZ_BUILD:-release} in
    release)
        cargo build --release --locked -p patmatch-api
        bin=target/release/patmatch
        ;;
    debug)
        cargo build --locked -p patmatch-api --bin patmatch
        bin=target/debug/patmatch
        ;;
    *)
        echo "FUZZ_BUILD is release or debug, not ${FUZZ_BUILD}" >&2
        exit 2
        ;;
esac

echo "copying $source_dir ($listings listings) to $scratch"
rm -rf "$scratch" "$out"
mkdir -p "$scratch" "$out"
# SQLite's backup API gives a consistent copy even while a server on the
# source dir writes; the index generations and the classifier are files.
"$py" - "$source_dir" "$scratch" <<'EOF'
import sqlite3, sys, os
src, dst = sys.argv[1:]
for name in ("patmatch.db", "embeddings.db"):
    if os.path.exists(os.path.join(src, name)):
        with sqlite3.connect(os.path.join(src, name)) as a, sqlite3.connect(os.path.join(dst, name)) as b:
            a.backup(b)
EOF
cp -a "$source_dir/index" "$scratch/index"
if [ -f "$source_dir/ipc-classifier.bin" ]; then
    cp -a "$source_dir/ipc-classifier.bin" "$scratch/"
fi
export PATMATCH_DATA_DIR=$scratch

# A fresh admin key: every operation is reachable with it, so the fuzzer
# gets past authentication to the handlers. Its token is printed once.
token=$("$bin" keys create --role admin --label fuzz)

"$bin" serve --bind "127.0.0.1:$port" >"$out/serve.log" 2>&1 &
server=$!
stop_server() {
    if kill -0 "$server" 2>/dev/null; then
        kill -TERM "$server" 2>/dev/null || true
        wait "$server" 2>/dev/null || true
    fi
}
trap stop_server EXIT INT TERM

base="http://127.0.0.1:$port"
# Loading the model and the index takes a while on a busy machine.
for _ in $(seq 1 600); do
    if [ "$(curl -s -o /dev/null -w '%{http_code}' "$base/readyz")" = 200 ]; then
        break
    fi
    if ! kill -0 "$server" 2>/dev/null; then
        echo "the server exited; see $out/serve.log" >&2
        exit 1
    fi
    sleep 1
done
if [ "$(curl -s -o /dev/null -w '%{http_code}' "$base/readyz")" != 200 ]; then
    echo "the server was not ready after 600 s; see $out/serve.log" >&2
    exit 1
fi

# Real ids for the hooks to put into generated paths: random ids only ever
# reach `404 not found`. Listings from a search, the store's first profiles,
# and a shortlist with kept and rejected items (so that recommendations and
# exports have something to work on).
"$py" - "$base" "$token" "$out/ids.json" <<'EOF'
import json, sys, urllib.parse, urllib.request
base, token, path = sys.argv[1:]
def call(method, url, body=None):
    data = None if body is None else json.dumps(body).encode()
    request = urllib.request.Request(base + url, data=data, method=method)
    request.add_header("Authorization", f"Bearer {token}")
    if data is not None:
        request.add_header("Content-Type", "application/json")
    with urllib.request.urlopen(request, timeout=120) as answer:
        return json.load(answer)
hits = call("GET", "/v1/search?limit=8&q=" + urllib.parse.quote("锂离子电池 正极材料"))["hits"]
listings = [hit["id"] for hit in hits]
profiles = [p["id"] for p in call("GET", "/v1/profiles")[:5]]
shortlist = call("POST", "/v1/shortlists", {"client": "fuzz", "broker_id": "fuzz-broker"})["id"]
for i, listing in enumerate(listings[:3]):
    call("PUT", f"/v1/shortlists/{shortlist}/items/{listing}",
         {"verdict": "rejected" if i == 2 else "kept", "note": "fuzz"})
ids = {"listings": listings, "profiles": profiles, "shortlists": [shortlist]}
json.dump(ids, open(path, "w"))
print(f"real ids: {len(listings)} listings, {len(profiles)} profiles, shortlist {shortlist}")
EOF
export FUZZ_IDS="$out/ids.json"

curl -s "$base/metrics" >"$out/metrics-before.txt"

# The run:
# - examples, coverage and fuzzing phases, positive and negative data. The
#   stateful phase is left out: the document declares no links between
#   operations, so its chains would rest on schemathesis's guesses; the
#   hooks put real ids into generated requests instead (ids.json above).
# - `--max-examples` bounds the fuzzing phase per operation; the coverage
#   phase adds its own boundary cases on top. 500 gives ~11,700 requests
#   over the 27 operations (some run out of distinct inputs before 500).
# - checks: not_a_server_error, and documented_error_code from
#   scripts/fuzz_checks.py. Schema conformance of 2xx bodies is not
#   checked: most are documented as a bare `Object`.
# - `--generation-with-security-parameters false`: the admin key is sent
#   on every request (-H); fuzzing the key itself would turn every case
#   into a 401 before the handler. Bad and missing keys are covered by
#   api/tests/roles.rs.
# - `--continue-on-failure` and no `--max-failures`: report everything.
# - no generation database (`none`): each run is decided by the seed alone
#   and writes nothing outside target/.
# - /healthz, /readyz, /metrics and /openapi.json are not in the document,
#   so they are not fuzzed.
# - its crash cache (for `schemathesis replay`) goes under target/, not
#   into ./.schemathesis of the work tree.
printf '[cache]\ndirectory = "%s"\n' "$PWD/$out/cache" >"$out/schemathesis.toml"
export SCHEMATHESIS_HOOKS=scripts/fuzz_checks.py
export FUZZ_TALLY="$out/tally.json"
status=0
"$venv/bin/schemathesis" --config-file "$out/schemathesis.toml" run "$base/openapi.json" \
    --header "Authorization: Bearer $token" \
    --phases examples,coverage,fuzzing \
    --mode all \
    --max-examples "$examples" \
    --seed "$seed" \
    --workers "$workers" \
    --checks not_a_server_error,documented_error_code \
    --generation-with-security-parameters false \
    --generation-database none \
    --continue-on-failure \
    --suppress-health-check all \
    --request-timeout 60 \
    --no-color \
    --report junit \
    --report-dir "$out" \
    >"$out/schemathesis.log" 2>&1 || status=$?
tail -n 60 "$out/schemathesis.log"

curl -s "$base/metrics" >"$out/metrics-after.txt"
stop_server

# The summary: requests counted by the server itself (the difference of
# patmatch_http_requests_total, without /metrics), and the 4xx contract
# from the tally that fuzz_checks.py kept of every response.
"$py" - "$out" "$min_requests" "$status" <<'EOF'
import collections, json, re, sys
out, minimum, st_status = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
line = re.compile(r'^patmatch_http_requests_total\{(.*)\} (\S+)$')
def counts(path):
    c = collections.Counter()
    for text in open(path, encoding="utf-8"):
        m = line.match(text.strip())
        if not m:
            continue
        labels = dict(re.findall(r'(\w+)="([^"]*)"', m.group(1)))
        if labels.get("route") == "/metrics":
            continue
        c[labels["status"]] += int(float(m.group(2)))
    return c
served = counts(f"{out}/metrics-after.txt")
served.subtract(counts(f"{out}/metrics-before.txt"))
served = {k: v for k, v in sorted(served.items()) if v}
total = sum(served.values())
tally = json.load(open(f"{out}/tally.json", encoding="utf-8"))
seen = sum(tally["status"].values())
server_errors = sum(v for k, v in served.items() if int(k) >= 500)
undocumented = sum(tally["undocumented"].values())
print()
print("== fuzz-api summary ==")
print(f"requests served:        {total} (schemathesis saw {seen} responses)")
print(f"status counts:          {json.dumps(served)}")
print(f"5xx responses:          {server_errors}")
print(f"undocumented 4xx codes: {undocumented} {json.dumps(tally['undocumented'], ensure_ascii=False)}")
for example in tally["examples"]:
    print(f"  {example}")
print(f"schemathesis exit code: {st_status}")
failed = server_errors > 0 or undocumented > 0 or total < minimum or st_status != 0
if total < minimum:
    print(f"FAIL: fewer than {minimum} requests; raise FUZZ_EXAMPLES")
print("FAIL" if failed else "OK")
sys.exit(1 if failed else 0)
EOF
