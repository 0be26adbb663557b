#!/usr/bin/env bash
# The main job on a fresh machine: build patmatch, import the shared corpus
# and demands into an embedded store, and show what was stored.
# Then it indexes the store (full text and vectors); a later issue adds serve.
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
"$bin" index --ipc-titles "$shared/data/classification/ipc_titles.jsonl"
