#!/usr/bin/env bash
# The main job on a fresh machine: build patmatch, import the shared corpus
# and demands into an embedded store, show what was stored, index it (full
# text and vectors), and serve the HTTP API on it until SIGTERM or Ctrl-C.
set -euo pipefail
cd "$(dirname "$0")/.."

shared=${PATMATCH_SHARED_DIR:-../shared}
export PATMATCH_DATA_DIR=${PATMATCH_DATA_DIR:-./data}

cargo build --release --locked -p patmatch-api
bin=target/release/patmatch

# The embedding model, once per machine; reused afterwards.
"$bin" model fetch

# Exit status 2 means "imported, with some records rejected": the demands
# file holds one empty record, which is reported and skipped.
status=0
"$bin" import "$shared/data/corpus/patents.jsonl" "$shared/data/corpus/offers.jsonl" \
    "$shared/data/demands/demands.jsonl" || status=$?
if [ "$status" -ne 0 ] && [ "$status" -ne 2 ]; then
    exit "$status"
fi

"$bin" listings show offer-5d14c1b2fe
"$bin" profiles show dem-3621ff01a6

# Full-text and vector indexes. The first run embeds every listing (minutes
# on 2 cores); later runs update only what changed and reuse the embedding
# cache. Listings without IPC codes (all of the shared corpus) get predicted
# IPC subclasses, marked predicted, from a classifier trained here on the
# shared labelled titles; their title vectors share that cache too.
# The classifier is saved as data/ipc-classifier.bin and reused by later
# builds and by serve; delete it (or pass --ipc-titles) to retrain.
"$bin" index

# An admin key, once: its token is shown only at creation, so it is kept
# (owner-readable only) for the README's curl examples. There is no default key.
token_file="$PATMATCH_DATA_DIR/admin.token"
if [ ! -s "$token_file" ]; then
    (umask 077 && "$bin" keys create --role admin --label main-job > "$token_file")
fi
echo "admin key in $token_file"

exec "$bin" serve
