"""Writes the latest scale, HNSW-comparison and load figures into
benches/README.md, between its `<!-- bench:NAME -->` markers, from the
JSON reports the benches leave in target/bench/. A section whose report is
missing is left as it was.

Run: python3 benches/scripts/render.py   (scripts/bench.sh runs it last)
"""

import json
import pathlib
import platform
import re

ROOT = pathlib.Path(__file__).resolve().parents[2]
BENCH = ROOT / "target" / "bench"
README = ROOT / "benches" / "README.md"


def load(path):
    return json.loads(path.read_text()) if path.is_file() else None


def mb(n):
    return f"{n / 1e6:,.0f} MB"


def machine():
    cpus = len([l for l in open("/proc/cpuinfo") if l.startswith("processor")])
    return f"{cpus}-core {platform.machine()} sandbox"


def scale_section(report):
    rows = [
        "| listings | data | build | index on disk | BM25 index p50 / p99 | BM25 search p50 / p99 | HNSW recall@10 | HNSW q/s (1 thread) | exact ms/query | hybrid, cached query p50 / p99 | serve RSS (peak) | ready |",
        "|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for entry in report["results"]:
        r = entry["result"]
        serve = r.get("serve", {})
        rss = (
            f"{serve['rss_mb']:,.0f} MB ({serve['peak_rss_mb']:,.0f})"
            if serve.get("rss_mb")
            else "not measured"
        )
        ready = f"{serve['ready_seconds']:.1f} s" if serve.get("ready_seconds") else "–"
        rows.append(
            "| {listings:,} | {data} | {build:.0f} s | {size} | {bi50:.2f} / {bi99:.2f} ms | {bs50:.2f} / {bs99:.2f} ms | {recall:.3f} | {qps:,.0f} | {exact:.1f} | {h50:.2f} / {h99:.2f} ms | {rss} | {ready} |".format(
                listings=r["listings"],
                data="synthetic" if r["synthetic"] else "real",
                build=r["build_seconds"],
                size=mb(r["index_bytes"]),
                bi50=r["bm25_index"]["p50_ms"],
                bi99=r["bm25_index"]["p99_ms"],
                bs50=r["bm25_search"]["p50_ms"],
                bs99=r["bm25_search"]["p99_ms"],
                recall=r["hnsw_recall_at_10"],
                qps=r["hnsw_qps_single_thread"],
                exact=r["exact_ms_per_query"],
                h50=r["hybrid_cached"]["p50_ms"],
                h99=r["hybrid_cached"]["p99_ms"],
                rss=rss,
                ready=ready,
            )
        )
    head = (
        f"Measured {report['date'][:10]} on a {machine()}; {report['queries']} demand-title "
        f"queries × {report['rounds']} rounds, cases interleaved; load average before: "
        f"`{report.get('load_before', '?')}`.\n\n"
    )
    return head + "\n".join(rows) + "\n"


def hnsw_section(result):
    if result is None:
        return None
    ratio = result.get("qps_ratio_patmatch_over_hnswlib")
    goal = (
        "met"
        if ratio is not None and ratio >= 0.7 and result["patmatch_recall_at_10"] >= 0.95
        else "not met"
    )
    p = result["params"]
    return (
        f"{result['rows']:,} synthetic vectors, {result['queries']} queries, M = {p['max_connections']}, "
        f"ef_construction = {p['ef_construction']}, ef = {p['ef_search']}, k = 10, one query at a "
        f"time on one thread; hnswlib {result['hnswlib_version']}.\n\n"
        "| | recall@10 | queries/s | build |\n|---|---:|---:|---:|\n"
        f"| patmatch (hnsw_rs) | {result['patmatch_recall_at_10']:.3f} | {result['patmatch_qps_single_thread']:,.0f} | see scale table |\n"
        f"| hnswlib | {result['hnswlib_recall_at_10']:.3f} | {result['hnswlib_qps_single_thread']:,.0f} | {result['hnswlib_build_seconds']:.0f} s (2 threads) |\n\n"
        f"Ratio of queries/s, patmatch / hnswlib: **{ratio:.2f}** (goal ≥ 0.7 at recall ≥ 0.95: {goal}).\n"
    )


def load_section(report):
    if report is None:
        return None
    rows = [
        "| query set | distinct queries | requests | req/s | p50 | p95 | p99 | errors | search p99 | similar p99 | pushes p99 |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for name, run in report["runs"].items():
        r = run["report"]
        k = r["by_kind"]
        rows.append(
            f"| {name} | {run['distinct_queries']:,} | {r['requests']:,} | {r['requests_per_second']:.1f} | "
            f"{r['all']['p50_ms']:.1f} ms | {r['all']['p95_ms']:.1f} ms | {r['all']['p99_ms']:.1f} ms | "
            f"{r['errors']} | {k['search']['p99_ms']:.1f} ms | {k['similar']['p99_ms']:.1f} ms | {k['pushes']['p99_ms']:.1f} ms |"
        )
    head = (
        f"Measured {report['date'][:10]} on a {machine()}: {report['clients']} closed-loop clients "
        f"for {report['seconds']} s per set, mix search 60 % / similar 25 % / push reads 15 %, "
        f"query embedding included; server ready in {report['ready_seconds']:.1f} s; load "
        f"average after: `{report['load_average']}`.\n\n"
    )
    return head + "\n".join(rows) + "\n"


def replace(text, name, body):
    if body is None:
        return text
    pattern = re.compile(
        rf"(<!-- bench:{name} -->\n).*?(<!-- /bench:{name} -->)", re.DOTALL
    )
    if not pattern.search(text):
        raise SystemExit(f"benches/README.md has no <!-- bench:{name} --> markers")
    return pattern.sub(lambda m: m.group(1) + body + m.group(2), text)


def main():
    text = README.read_text()
    scale = load(BENCH / "scale.json")
    if scale:
        text = replace(text, "scale", scale_section(scale))
    biggest = max(
        (p for p in BENCH.glob("scale/*/hnswlib.json")),
        key=lambda p: int(p.parent.name) if p.parent.name.isdigit() else 0,
        default=None,
    )
    text = replace(text, "hnswlib", hnsw_section(load(biggest) if biggest else None))
    text = replace(text, "load", load_section(load(BENCH / "load.json")))
    README.write_text(text)
    print("benches/README.md updated")


if __name__ == "__main__":
    main()
