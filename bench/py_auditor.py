#!/usr/bin/env python3
"""A plain Python/numpy auditor: the baseline evalaudit is compared against.

It does the core of the same recomputation, the way one would write it in an afternoon:
json.loads per line; with logits, the reference per-token log-prob from a numpy log-softmax of
each row; with top-k lists, the target's listed log-prob (else the recorded value), after
checking that each step's listed mass is at most 1; a numpy total compared with the recorded
score and values within a float32 tolerance. A score-only record is checked for range (a finite
log-prob <= 0), and each multiple-choice group for its pick (the highest score) and for a score
shared by all its candidates.

Usage: python3 bench/py_auditor.py <file.jsonl>
Prints {"records", "mismatches", "groupMismatches", "maxRssKb"} as JSON. Exits 3 when numpy is missing.
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


def reference(r, ids, recorded):
    """The reference per-token log-probs, or None when the evidence is inconsistent."""
    logits = r.get("logits")
    if logits:
        z = np.asarray(logits, dtype=np.float64)[: len(ids)]
        m = z.max(axis=1)
        lse = m + np.log(np.exp(z - m[:, None]).sum(axis=1))
        return z[np.arange(len(ids)), ids] - lse
    ref = recorded.copy()
    top = r.get("top_logprobs")
    if top:
        k = max(len(step) for step in top)
        lp = np.full((len(top), k), -np.inf)
        tid = np.full((len(top), k), -1, dtype=np.int64)
        for i, step in enumerate(top):
            lp[i, : len(step)] = [e["logprob"] for e in step]
            tid[i, : len(step)] = [e.get("id", -1) for e in step]
        # A listed distribution cannot hold more than all the probability.
        if np.any(np.logaddexp.reduce(lp, axis=1) > 1e-6):
            return None
        hit = tid == ids[:, None]
        listed = hit.any(axis=1)
        ref[listed] = lp[hit]
    return ref


def check_record(r):
    """True when the record's numbers are consistent."""
    score = r.get("score")
    values = r.get("logprobs")
    if values is None:  # score only: its range
        return score is not None and math.isfinite(score) and score <= 0
    ids = r.get("token_ids")
    if ids is None or len(values) != len(ids):
        return False
    recorded = np.asarray(values, dtype=np.float64)
    ref = reference(r, np.asarray(ids, dtype=np.int64), recorded)
    if ref is None:
        return False
    total = float(np.sum(ref))
    tol = 1e-5 + 4 * F32_EPS * (abs(total) + 16 * len(ref))
    return score is not None and math.isfinite(score) and abs(score - total) <= tol and not np.any(np.abs(recorded - ref) > tol)


def check_group(candidates):
    """True when the pick is the highest score and the scores are not all one value."""
    scores = [s if s is not None and math.isfinite(s) else -math.inf for s, _ in candidates]
    picked = [i for i, (_, selected) in enumerate(candidates) if selected]
    if len(candidates) > 1 and len(set(scores)) == 1:
        return False
    return len(picked) != 1 or scores[picked[0]] == max(scores)


def audit(path):
    records = mismatches = group_mismatches = 0
    groups = {}
    with open(path, "rb") as f:
        for line in f:
            if not line.strip():
                continue
            r = json.loads(line)  # Python's json reads NaN / Infinity natively
            records += 1
            if not check_record(r):
                mismatches += 1
            if "group" in r:
                groups.setdefault(r["group"], []).append((r.get("score"), r.get("selected") is True))
    group_mismatches = sum(1 for c in groups.values() if not check_group(c))
    return records, mismatches, group_mismatches


def main():
    records, mismatches, group_mismatches = audit(sys.argv[1])
    # ru_maxrss is in kilobytes on Linux (bytes on macOS).
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    if sys.platform == "darwin":
        rss //= 1024
    print(json.dumps({"records": records, "mismatches": mismatches, "groupMismatches": group_mismatches, "maxRssKb": rss}))


if __name__ == "__main__":
    main()
