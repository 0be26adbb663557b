#!/usr/bin/env bash
# Regenerates benches/README.md's scale, HNSW-comparison and load tables
# (issue 9) from fresh runs. Takes about an hour on 2 cores, most of it the
# 1M-listing synthetic corpus and its graph (generated once, then kept in
# target/bench/scale/). Run it on a quiet machine: the figures are
# latencies.
#
#   scripts/bench.sh            scale (7.6k real, 100k, 1M), hnswlib, load
#   BENCH_SCALES=real,100000 scripts/bench.sh    a quicker subset
#
# The main job's data dir (./data, from scripts/main-job.sh) is what the
# load bench serves. Hostile-input and fault figures come from
# scripts/fuzz-api.sh and `cargo test -p patmatch-api --test faults`.
set -euo pipefail
cd "$(dirname "$0")/.."

cargo build --release --locked -p patmatch-api
BENCH_SCALES=${BENCH_SCALES:-real,100000,1000000} \
    cargo bench --locked -p patmatch-benches --bench scale

# hnswlib on the same vectors, queries and parameters (the largest scale).
venv=target/bench-venv
if [ ! -x "$venv/bin/python" ]; then
    python3 -m venv "$venv"
    "$venv/bin/pip" install --quiet 'hnswlib==0.8.0' 'numpy<3'
fi
largest=$(ls -d target/bench/scale/*/ | grep -E '/[0-9]+/$' | sort -t/ -k4 -n | tail -1 || true)
if [ -n "$largest" ] && [ -f "$largest/vectors.f32" ]; then
    "$venv/bin/python" benches/scripts/hnswlib_compare.py "$largest"
fi

cargo bench --locked -p patmatch-benches --bench load
python3 benches/scripts/render.py
