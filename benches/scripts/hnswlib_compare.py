"""hnswlib on the same vectors, queries and parameters as patmatch's HNSW.

The scale bench (`BENCH_EXPORT_VECTORS=1 cargo bench -p patmatch-benches
--bench scale`) writes, per scale, `vectors.f32` (row-major float32, one
row per listing), `queries.f32` (the same demand-title query vectors it
searched with) and `vectors.json` (rows, dimensions, and patmatch's own
recall@10 and single-thread queries/s, measured in that run).

This builds hnswlib with the same parameters (M = max_connections, which
both libraries double on layer 0; ef_construction; ef = ef_search; inner
product on unit vectors), on 2 threads as patmatch builds, then queries one
at a time on one thread, as the bench timed patmatch. Recall@10 is against
exact inner-product search computed here with numpy.

Run: python3 benches/scripts/hnswlib_compare.py target/bench/scale/1000000
(needs `pip install hnswlib numpy`). Prints a JSON line and writes
`hnswlib.json` beside the vectors.
"""

import importlib.metadata
import json
import pathlib
import sys
import time

import hnswlib
import numpy as np


def main() -> None:
    folder = pathlib.Path(sys.argv[1])
    meta = json.loads((folder / "vectors.json").read_text())
    dims = meta["dimensions"]
    data = np.fromfile(folder / "vectors.f32", dtype=np.float32).reshape(-1, dims)
    queries = np.fromfile(folder / "queries.f32", dtype=np.float32).reshape(-1, dims)
    params = meta["hnsw"]
    k = 10

    # Exact neighbours, in blocks to bound memory.
    exact = []
    for start in range(0, len(queries), 50):
        scores = queries[start : start + 50] @ data.T
        exact.extend(np.argpartition(-scores, k, axis=1)[:, :k])
    exact = [set(row.tolist()) for row in exact]

    index = hnswlib.Index(space="ip", dim=dims)
    index.init_index(
        max_elements=len(data),
        M=params["max_connections"],
        ef_construction=params["ef_construction"],
        random_seed=100,
    )
    index.set_num_threads(2)
    started = time.perf_counter()
    index.add_items(data, np.arange(len(data)))
    build_seconds = time.perf_counter() - started

    index.set_ef(params["ef_search"])
    index.set_num_threads(1)
    times = []
    found = 0
    for rounds in range(3):
        for i, query in enumerate(queries):
            started = time.perf_counter()
            labels, _ = index.knn_query(query, k=k)
            times.append(time.perf_counter() - started)
            if rounds == 0:
                found += len(exact[i] & set(labels[0].tolist()))
    recall = found / (k * len(queries))
    qps = len(times) / sum(times)
    result = {
        "rows": len(data),
        "queries": len(queries),
        "hnswlib_version": importlib.metadata.version("hnswlib"),
        "params": params,
        "hnswlib_build_seconds": build_seconds,
        "hnswlib_recall_at_10": recall,
        "hnswlib_qps_single_thread": qps,
        "hnswlib_p50_ms": float(np.median(times) * 1e3),
        "patmatch_recall_at_10": meta.get("patmatch_recall_at_10"),
        "patmatch_qps_single_thread": meta.get("patmatch_qps_single_thread"),
    }
    if result["patmatch_qps_single_thread"]:
        result["qps_ratio_patmatch_over_hnswlib"] = result["patmatch_qps_single_thread"] / qps
    (folder / "hnswlib.json").write_text(json.dumps(result, indent=2))
    print(json.dumps(result))


if __name__ == "__main__":
    main()
