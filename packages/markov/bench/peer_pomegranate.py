#!/usr/bin/env python3
"""pomegranate peer for bench/run.mjs (Debian python3-pomegranate, the 0.14 API).

Reads {"states": S, "symbols": K, "sequence": [ints], "start": [...], "transitions": [[...]],
"emissions": [[...]], "iterations": n, "viterbi_reps": r} on stdin; runs n Baum-Welch iterations
(single-threaded) and r Viterbi decodes of the sequence; prints JSON timings on stdout.
"""
import json
import resource
import sys
import time

import numpy as np
import pomegranate
from pomegranate import DiscreteDistribution, HiddenMarkovModel


def peak_mb():
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


job = json.load(sys.stdin)
S, K = job["states"], job["symbols"]
dists = [DiscreteDistribution({k: job["emissions"][s][k] for k in range(K)}) for s in range(S)]
model = HiddenMarkovModel.from_matrix(
    np.array(job["transitions"]), dists, np.array(job["start"]), state_names=[f"s{i}" for i in range(S)]
)
seq = np.array(job["sequence"])
base = peak_mb()
n = job["iterations"]
t0 = time.perf_counter()
model.fit([seq], algorithm="baum-welch", min_iterations=n, max_iterations=n, stop_threshold=-1e300, n_jobs=1, verbose=False)
bw_s = time.perf_counter() - t0
t1 = time.perf_counter()
for _ in range(job["viterbi_reps"]):
    model.viterbi(seq)
vit_s = time.perf_counter() - t1
print(
    json.dumps(
        {
            "version": pomegranate.__version__,
            "steps": len(seq),
            "iterations": n,
            "bw_s": bw_s,
            "viterbi_steps": len(seq) * job["viterbi_reps"],
            "viterbi_s": vit_s,
            "peak_mb_growth": peak_mb() - base,
        }
    )
)
