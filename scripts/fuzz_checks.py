"""Schemathesis hooks and checks for scripts/fuzz-api.sh (schemathesis 4.x).

Loaded through SCHEMATHESIS_HOOKS=scripts/fuzz_checks.py. It adds:

- the check `documented_error_code`: every 4xx answer must be the API's
  error body, a JSON object `{code, message}` whose `code` is listed in the
  OpenAPI document's top-level `x-error-codes` array with that very status
  (the API's promise: "every error is `{code, message}`");
- a tally of every response (status counts, 5xx, undocumented codes),
  written as JSON to $FUZZ_TALLY when the run ends, so the script can print
  a summary that does not depend on how schemathesis deduplicates failures;
- real ids ($FUZZ_IDS, written by the script) put into two of three
  generated path ids, so that the fuzzer gets past `404 not found` to the
  code behind it (paging, filters, the lifecycle rules, exports);
- one fuzzing guard for POST /v1/push/runs (see `before_call`).
"""

from __future__ import annotations

import atexit
import collections
import json
import os
import threading
import zlib

import schemathesis

_lock = threading.Lock()
_status = collections.Counter()
_undocumented = collections.Counter()
_examples: list[str] = []
# code -> status, read once from the schema the run loaded.
_codes: dict[str, int] | None = None


def _documented_codes(case) -> dict[str, int]:
    global _codes
    if _codes is None:
        raw = case.operation.schema.raw_schema
        _codes = {
            entry["code"]: int(entry["status"])
            for entry in raw.get("x-error-codes", [])
            if isinstance(entry, dict) and "code" in entry and "status" in entry
        }
        if not _codes:
            raise AssertionError("the OpenAPI document has no x-error-codes")
    return _codes


def _problem(case, response) -> str | None:
    """Why a 4xx response breaks the error contract, or None."""
    status = response.status_code
    try:
        body = json.loads(response.content)
    except ValueError:
        return f"{status} body is not JSON: {response.content[:200]!r}"
    if not isinstance(body, dict):
        return f"{status} body is not a JSON object: {body!r:.200}"
    code, message = body.get("code"), body.get("message")
    if not isinstance(code, str) or not isinstance(message, str):
        return f"{status} body is not {{code, message}}: {body!r:.200}"
    documented = _documented_codes(case)
    if code not in documented:
        return f"{status} code {code!r} is not in x-error-codes ({message})"
    if documented[code] != status:
        return f"code {code!r} is documented as {documented[code]}, answered with {status} ({message})"
    return None


@schemathesis.check
def documented_error_code(ctx, response, case):
    """A 4xx answer is `{code, message}` with a code from `x-error-codes`."""
    if 400 <= response.status_code < 500:
        problem = _problem(case, response)
        if problem is not None:
            raise AssertionError(problem)
    return None


def _real_ids() -> dict[str, list[str]]:
    path = os.environ.get("FUZZ_IDS")
    if not path:
        return {}
    with open(path, encoding="utf-8") as ids:
        return json.load(ids)


_IDS = _real_ids()


def _pick(kind: str, seed: str) -> str | None:
    """A real id of `kind` for two seeds in three, else None. Decided by a
    checksum of the generated value, so that a run repeats with its seed."""
    ids = _IDS.get(kind) or []
    crc = zlib.crc32(seed.encode("utf-8", "surrogatepass"))
    if not ids or crc % 3 == 0:
        return None
    return ids[crc % len(ids)]


def _use_real_ids(case) -> None:
    path = case.operation.path
    params = case.path_parameters
    if isinstance(params, dict) and params:
        # The objects the script made or found stay: deleting them would
        # turn the rest of the run back into 404s. Deletes of real objects
        # are tested in api/tests/http.rs.
        if case.operation.method.upper() != "DELETE":
            seed = repr(sorted(params.items(), key=str))
            kind = {
                "/v1/listings/": "listings",
                "/v1/profiles/": "profiles",
                "/v1/shortlists/": "shortlists",
            }
            for prefix, ids in kind.items():
                if path.startswith(prefix) and "id" in params:
                    params["id"] = _pick(ids, seed) or params["id"]
            if "listing_id" in params:
                params["listing_id"] = _pick("listings", seed + "listing") or params["listing_id"]
    query = case.query
    if isinstance(query, dict) and isinstance(query.get("profile"), str):
        query["profile"] = _pick("profiles", query["profile"]) or query["profile"]
    body = case.body
    if path == "/v1/profiles/{id}/feedback" and isinstance(body, dict):
        if isinstance(body.get("listing_id"), str):
            body["listing_id"] = _pick("listings", body["listing_id"]) or body["listing_id"]


@schemathesis.hook
def before_call(ctx, case, **kwargs):
    _use_real_ids(case)
    # POST /v1/push/runs starts a background push job over every demand
    # profile (minutes of embedding on 2 cores) and answers 409 to every
    # later run while it lasts: one lucky valid body would slow the rest of
    # the run and hide the endpoint behind 409s. The body's own validation
    # (date, limit, threshold, unknown fields, types) runs before the
    # profiles are looked up, so naming a profile that does not exist keeps
    # all of it fuzzed while a run can never start (a valid body ends in
    # 404 profile_not_found). Push runs themselves are covered by
    # api/tests/http.rs.
    if (
        case.operation.method.upper() == "POST"
        and case.operation.path == "/v1/push/runs"
        and isinstance(case.body, dict)
    ):
        case.body["profiles"] = ["fuzz-no-such-profile"]


@schemathesis.hook
def after_call(ctx, case, response):
    status = response.status_code
    label = f"{case.operation.method.upper()} {case.operation.path}"
    problem = _problem(case, response) if 400 <= status < 500 else None
    with _lock:
        _status[status] += 1
        if problem is not None:
            _undocumented[label] += 1
            if len(_examples) < 20:
                _examples.append(f"{label}: {problem}")
        if status >= 500 and len(_examples) < 20:
            _examples.append(f"{label}: {status} {response.content[:200]!r}")


@atexit.register
def _write_tally():
    path = os.environ.get("FUZZ_TALLY")
    if not path:
        return
    with _lock:
        tally = {
            "status": {str(k): v for k, v in sorted(_status.items())},
            "undocumented": dict(_undocumented),
            "examples": list(_examples),
        }
    with open(path, "w", encoding="utf-8") as out:
        json.dump(tally, out, indent=1, ensure_ascii=False)
