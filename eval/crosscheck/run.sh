#!/usr/bin/env bash
# Cross-check patmatch-eval's metrics against ir_measures (see README.md).
# Usage: eval/crosscheck/run.sh --run RUN.trec --qrels QRELS.tsv --patmatch SCORES.json [--places 4]
# Installs pinned ir_measures into <workspace>/target/eval/venv on first use.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"
python="${PYTHON:-python3}"

# Pinned and verified together (ir_measures -> pytrec-eval-terrier -> numpy, scipy).
reqs=(
  "ir_measures==0.4.3"
  "pytrec-eval-terrier==0.5.11"
  "numpy==2.4.6"
  "scipy==1.17.1"
)
stamp_text="$(printf '%s\n' "${reqs[@]}")"
pip_flags=(--disable-pip-version-check --no-input -q)

venv="$root/target/eval/venv"
pydeps="$root/target/eval/pydeps"

up_to_date() { [[ -f "$1/.crosscheck-reqs" && "$(cat "$1/.crosscheck-reqs")" == "$stamp_text" ]]; }
venv_ok() { [[ -x "$venv/bin/python" ]] && "$venv/bin/python" -m pip --version >/dev/null 2>&1; }

if ! venv_ok && [[ ! -d "$pydeps" ]]; then
  rm -rf "$venv"
  mkdir -p "$(dirname "$venv")"
  "$python" -m venv "$venv" >/dev/null 2>&1 || true
fi
if venv_ok; then
  if ! up_to_date "$venv"; then
    echo "crosscheck: installing ${reqs[*]} into $venv" >&2
    "$venv/bin/python" -m pip install "${pip_flags[@]}" "${reqs[@]}" >&2
    printf '%s\n' "$stamp_text" >"$venv/.crosscheck-reqs"
  fi
  exec "$venv/bin/python" "$here/crosscheck.py" "$@"
fi

# No usable venv module (e.g. Debian without python3-venv): install into a target dir.
rm -rf "$venv"
if ! up_to_date "$pydeps"; then
  echo "crosscheck: python3 -m venv unavailable; installing ${reqs[*]} into $pydeps" >&2
  rm -rf "$pydeps"
  "$python" -m pip install "${pip_flags[@]}" --target "$pydeps" "${reqs[@]}" >&2
  printf '%s\n' "$stamp_text" >"$pydeps/.crosscheck-reqs"
fi
PYTHONPATH="$pydeps${PYTHONPATH:+:$PYTHONPATH}" exec "$python" "$here/crosscheck.py" "$@"
