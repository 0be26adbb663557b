#!/usr/bin/env python3
"""Cross-check patmatch-eval's relevance metrics against ir_measures.

Usage:
    python3 crosscheck.py --run RUN.trec --qrels QRELS.tsv --patmatch SCORES.json [--places 4]

SCORES.json is the output of `patmatch-eval score RUN --qrels QRELS --json`.
Exit status: 0 if every per-query value and every mean agrees within
0.5 * 10^-places, 1 on any disagreement, 2 on bad input.

Definitions aligned with patmatch (see README.md):
  * Only "answerable" queries (at least one doc with grade >= 1) are
    evaluated; qrels are restricted to them before calling ir_measures.
  * Answerable queries absent from the run score 0 on every measure.
    ir_measures already does this (Evaluator.iter_calc fills
    Measure.DEFAULT = 0 for qrels queries its provider did not yield);
    the script additionally asserts it rather than relying on it.
  * Ranking order is trec_eval's: score descending, ties broken by doc id
    descending (byte order); the rank column is ignored. pytrec_eval does
    this itself, but ir_measures' Python providers used here for RR@10
    (msmarco) and Judged@10 (judged) break ties by doc id *ascending*. The
    run is therefore canonicalised to trec_eval order with strictly
    decreasing synthetic scores before it is handed to ir_measures, so
    every measure sees the same ranking.
"""

import argparse
import json
import math
import sys


class InputError(Exception):
    pass


# patmatch key -> ir_measures measure name (parsed with ir_measures.parse_measure)
MEASURES = [
    ("ndcg@10", "nDCG@10"),
    ("recall@10", "R@10"),
    ("recall@100", "R@100"),
    ("mrr@10", "RR@10"),
    ("p@10", "P@10"),
    ("judged@10", "Judged@10"),
]


def trec_lines(path, kind, layout):
    """(where, fields) for each non-blank line of a TREC file with the
    whitespace-separated `layout`; InputError on a missing file or a line
    with another number of fields."""
    try:
        f = open(path, encoding="utf-8")
    except OSError as e:
        raise InputError(f"{path}: cannot open {kind}: {e.strerror}")
    width = len(layout.split())
    with f:
        for lineno, line in enumerate(f, 1):
            fields = line.split()
            if not fields:
                continue
            where = f"{path}:{lineno}"
            if len(fields) != width:
                raise InputError(
                    f"{where}: malformed {kind} line: expected {width} fields "
                    f"'{layout}', got {len(fields)}: {line.rstrip()!r}")
            yield where, fields


def read_qrels(path):
    """{qid: {doc: grade}} from TREC qrels `qid 0 doc grade`."""
    qrels = {}
    for where, (qid, _iter, doc, grade_s) in trec_lines(path, "qrels", "query_id 0 doc_id grade"):
        try:
            grade = int(grade_s)
        except ValueError:
            raise InputError(f"{where}: malformed qrels line: grade {grade_s!r} is not an integer")
        if grade < 0:
            raise InputError(f"{where}: malformed qrels line: negative grade {grade}")
        docs = qrels.setdefault(qid, {})
        if doc in docs:
            raise InputError(f"{where}: duplicate judgment for query {qid!r}, doc {doc!r}")
        docs[doc] = grade
    if not qrels:
        raise InputError(f"{path}: qrels file has no judgments")
    return qrels


def read_run(path):
    """{qid: {doc: score}} from a TREC run `qid Q0 doc rank score tag`."""
    run = {}
    layout = "query_id Q0 doc_id rank score tag"
    for where, (qid, _q0, doc, rank_s, score_s, _tag) in trec_lines(path, "run", layout):
        try:
            int(rank_s)
        except ValueError:
            raise InputError(f"{where}: malformed run line: rank {rank_s!r} is not an integer")
        try:
            score = float(score_s)
        except ValueError:
            raise InputError(f"{where}: malformed run line: score {score_s!r} is not a number")
        if not math.isfinite(score):
            raise InputError(f"{where}: malformed run line: score {score_s!r} is not finite")
        docs = run.setdefault(qid, {})
        if doc in docs:
            raise InputError(f"{where}: duplicate doc {doc!r} for query {qid!r}")
        docs[doc] = score
    return run


def trec_eval_order(docs):
    """Doc ids in trec_eval order: score desc, then doc id desc (byte order).

    Python compares str by code point, which for UTF-8 is byte order, i.e.
    the same as trec_eval's strcmp and Rust's str Ord.
    """
    return [d for d, _ in sorted(docs.items(), key=lambda x: (x[1], x[0]), reverse=True)]


def canonical_run(run):
    """Same rankings, but strictly decreasing scores, so no provider has to break ties."""
    out, tied = {}, 0
    for qid, docs in run.items():
        order = trec_eval_order(docs)
        tied += sum(1 for a, b in zip(order, order[1:]) if docs[a] == docs[b])
        n = len(order)
        out[qid] = {d: float(n - i) for i, d in enumerate(order)}
    return out, tied


def read_patmatch(path):
    try:
        with open(path, encoding="utf-8") as f:
            data = json.load(f)
    except OSError as e:
        raise InputError(f"{path}: cannot open patmatch scores: {e.strerror}")
    except json.JSONDecodeError as e:
        raise InputError(f"{path}:{e.lineno}: invalid JSON: {e.msg}")
    if not isinstance(data, dict):
        raise InputError(f"{path}: top level must be a JSON object")
    for key in ("mean", "queries"):
        if not isinstance(data.get(key), dict):
            raise InputError(f"{path}: missing or non-object field {key!r}")
    return data


def as_number(v):
    if isinstance(v, bool) or not isinstance(v, (int, float)):
        return None
    return float(v)


def compute_reference(qrels, run):
    import ir_measures

    measures = [ir_measures.parse_measure(name) for _, name in MEASURES]
    evaluator = ir_measures.evaluator(measures, qrels)
    result = evaluator.calc(run)  # (aggregated, per-query metrics)
    per_query = {qid: {} for qid in qrels}
    for m in result.per_query:
        if m.query_id not in per_query:
            raise AssertionError(f"ir_measures returned unexpected query {m.query_id!r}")
        per_query[m.query_id][str(m.measure)] = float(m.value)
    agg = {str(m): float(v) for m, v in result.aggregated.items()}
    for qid, vals in per_query.items():
        for _, name in MEASURES:
            if name not in vals:
                raise AssertionError(f"ir_measures gave no {name} for query {qid!r}")
            if qid not in run and vals[name] != 0.0:
                raise AssertionError(
                    f"ir_measures gave {name}={vals[name]} for query {qid!r} absent from the run")
    return per_query, agg


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--run", required=True, help="TREC run: query_id Q0 doc_id rank score tag")
    ap.add_argument("--qrels", required=True, help="TREC qrels: query_id 0 doc_id grade")
    ap.add_argument("--patmatch", required=True, help="output of `patmatch-eval score --json`")
    ap.add_argument("--places", type=int, default=4, help="decimal places to compare (default 4)")
    args = ap.parse_args(argv)
    if not 0 <= args.places <= 15:
        ap.error("--places must be between 0 and 15")
    tol = 0.5 * 10.0 ** -args.places
    slack = 1e-12  # float noise on top of the rounding tolerance

    try:
        qrels_all = read_qrels(args.qrels)
        run_all = read_run(args.run)
        pm = read_patmatch(args.patmatch)
    except InputError as e:
        print(f"crosscheck: error: {e}", file=sys.stderr)
        return 2

    answerable = {q: d for q, d in qrels_all.items() if any(g >= 1 for g in d.values())}
    skipped = len(qrels_all) - len(answerable)
    if not answerable:
        print(f"crosscheck: error: {args.qrels}: no query has a doc with grade >= 1", file=sys.stderr)
        return 2
    run, tied = canonical_run({q: d for q, d in run_all.items() if q in answerable})
    missing = sorted(set(answerable) - set(run))

    ref_q, ref_mean = compute_reference(answerable, run)

    problems = []  # (query, measure, patmatch, ir_measures)
    for field, want in (("evaluated", len(answerable)), ("skipped", skipped)):
        got = pm.get(field)
        if got != want:
            problems.append(("-", field, got, want))

    pm_queries = pm["queries"]
    for qid in sorted(set(pm_queries) - set(answerable)):
        problems.append((qid, "(query)", "present", "not an answerable qrels query"))
    max_diff = {key: 0.0 for key, _ in MEASURES}
    for qid in sorted(answerable):
        vals = pm_queries.get(qid)
        if not isinstance(vals, dict):
            problems.append((qid, "(query)", "absent", "expected"))
            continue
        for key, name in MEASURES:
            ref = ref_q[qid][name]
            got = as_number(vals.get(key))
            if got is None:
                problems.append((qid, key, vals.get(key), ref))
                continue
            diff = abs(got - ref)
            max_diff[key] = max(max_diff[key], diff)
            if not diff <= tol + slack:
                problems.append((qid, key, got, ref))

    p = args.places
    fmt = lambda v: f"{v:.{p}f}" if isinstance(v, float) else str(v)
    rows = []
    for key, name in MEASURES:
        ref = ref_mean[name]
        got = as_number(pm["mean"].get(key))
        if got is None or not abs(got - ref) <= tol + slack:
            problems.append(("(mean)", key, pm["mean"].get(key), ref))
        rows.append((key, fmt(got) if got is not None else "n/a", fmt(ref), f"{max_diff[key]:.2e}"))

    print(f"run {args.run}: {len(run_all)} queries, {tied} tied adjacent pairs "
          f"(ordered by trec_eval rule: score desc, doc id desc)")
    print(f"qrels {args.qrels}: {len(answerable)} answerable evaluated, {skipped} skipped, "
          f"{len(missing)} answerable missing from run (scored 0)")
    header = ("measure", "patmatch mean", "ir_measures mean", "max |diff| per query")
    widths = [max(len(header[i]), *(len(r[i]) for r in rows)) for i in range(4)]
    line = lambda r: "  ".join(s.ljust(w) if i == 0 else s.rjust(w) for i, (s, w) in enumerate(zip(r, widths)))
    print(line(header))
    print("  ".join("-" * w for w in widths))
    for r in rows:
        print(line(r))

    if problems:
        print(f"\nFAIL: {len(problems)} disagreement(s) beyond {tol:g}:")
        for qid, key, got, ref in problems:
            print(f"  query {qid}  {key}: patmatch={fmt(got) if isinstance(got, float) else got}"
                  f"  ir_measures={fmt(ref) if isinstance(ref, float) else ref}")
        return 1
    print(f"\nOK: all per-query values and means agree within {tol:g}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
