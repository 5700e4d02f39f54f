#!/usr/bin/env python3
"""A plain Python/numpy auditor: the baseline evalaudit is compared against.

It does the core of the same recomputation, the way one would write it in an afternoon:
json.loads per line, the reference per-token log-prob taken from the top-k list where the
target is listed (else the recorded value), a numpy total, and a comparison with the recorded
score within a float32 tolerance; it also checks that each step's top-k mass is at most 1.

Usage: python3 bench/py_auditor.py <file.jsonl>
Prints {"records", "mismatches", "maxRssKb"} as JSON. Exits 3 when numpy is missing.
"""
import json
import math
import resource
import sys

try:
    import numpy as np
except ImportError:  # the benchmark reports this run as skipped
    sys.stderr.write("py_auditor: numpy is not installed\n")
    sys.exit(3)

F32_EPS = 2.0 ** -23


def audit(path):
    records = 0
    mismatches = 0
    with open(path, "rb") as f:
        for line in f:
            if not line.strip():
                continue
            r = json.loads(line)  # Python's json reads NaN / Infinity natively
            records += 1
            values = r.get("logprobs")
            top = r.get("top_logprobs")
            ids = r.get("token_ids")
            score = r.get("score")
            if values is None or ids is None or len(values) != len(ids):
                mismatches += 1
                continue
            recorded = np.asarray(values, dtype=np.float64)
            ref = recorded.copy()
            if top:
                k = max(len(step) for step in top)
                lp = np.full((len(top), k), -np.inf)
                tid = np.full((len(top), k), -1, dtype=np.int64)
                for i, step in enumerate(top):
                    lp[i, : len(step)] = [e["logprob"] for e in step]
                    tid[i, : len(step)] = [e.get("id", -1) for e in step]
                # A listed distribution cannot hold more than all the probability.
                if np.any(np.logaddexp.reduce(lp, axis=1) > 1e-6):
                    mismatches += 1
                    continue
                hit = tid == np.asarray(ids, dtype=np.int64)[:, None]
                listed = hit.any(axis=1)
                ref[listed] = lp[hit]
            total = float(np.sum(ref))
            tol = 1e-5 + 4 * F32_EPS * (abs(total) + 16 * len(ref))
            if score is None or not math.isfinite(score) or abs(score - total) > tol or np.any(np.abs(recorded - ref) > tol):
                mismatches += 1
    return records, mismatches


def main():
    records, mismatches = audit(sys.argv[1])
    # ru_maxrss is in kilobytes on Linux (bytes on macOS).
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    if sys.platform == "darwin":
        rss //= 1024
    print(json.dumps({"records": records, "mismatches": mismatches, "maxRssKb": rss}))


if __name__ == "__main__":
    main()
