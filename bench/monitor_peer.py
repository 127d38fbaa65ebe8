"""The numpy/scipy peer of bench:monitor: one monitoring window's statistics
over the columns bench/monitor.mjs wrote, with the formulas of
src/data/drift.ts — current values counted into the reference profile's bins
(np.searchsorted on its edges, np.bincount on category codes), Wasserstein
(scipy.stats.wasserstein_distance on the bin points weighted by the counts,
normed by the reference std) or Jensen–Shannon (scipy's jensenshannon, base 2),
PSI beside; prediction drift the same way on the scores; missing and unseen
rates, the positive-decision rate, latency p50/p95/p99 (inverse CDF, as
Flywheel takes them) and the estimated cost per decision.

Only the statistics are timed (best of 3), not loading the files. Untimed, the
reference columns are binned too, to check that numpy's bins are Flywheel's.
Prints one JSON line.

    python3 bench/monitor_peer.py DATA_DIR
"""
import json
import os
import sys
import time

import numpy as np
import scipy
from scipy.spatial.distance import jensenshannon
from scipy.stats import wasserstein_distance

PSI_EPSILON = 1e-4
MIN_WASSERSTEIN_STD = 0.001


def read(data_dir, name, dtype):
    return np.fromfile(os.path.join(data_dir, name), dtype=dtype)


def shares(counts):
    total = counts.sum()
    return counts / total if total > 0 else np.zeros(len(counts))


def psi(reference, current):
    p = shares(reference)
    q = shares(current)
    p = np.where(p > 0, p, PSI_EPSILON)
    q = np.where(q > 0, q, PSI_EPSILON)
    return float(np.sum((p - q) * np.log(p / q)))


def numeric_bins(edges, values):
    """Counts per bin (right-closed: the first edge >= v) and the NaN count."""
    missing = int(np.count_nonzero(np.isnan(values)))
    # NaN sorts last, so searchsorted puts it in the open last bin: take it out again.
    counts = np.bincount(np.searchsorted(edges, values, side="left"), minlength=len(edges) + 1)
    counts[-1] -= missing
    return counts, missing


def categorical_bins(column, codes):
    """Counts per profiled category plus one for the rest, missing and unseen counts."""
    dictionary = column["dictionary"]
    index = {c: j for j, c in enumerate(column["categories"])}
    other = len(column["categories"])
    bin_of_code = np.array([index.get(v, other) for v in dictionary], dtype=np.intp)
    known = set(column["known"])
    unseen_code = np.array([v not in known for v in dictionary], dtype=bool)
    # Code -1 (missing) lands at 0.
    per_code = np.bincount(codes + 1, minlength=len(dictionary) + 1)
    missing = int(per_code[0])
    per_code = per_code[1:]
    counts = np.bincount(bin_of_code, weights=per_code, minlength=other + 1).astype(np.int64)
    return counts, missing, int(per_code[unseen_code].sum())


def bin_points(column):
    """Each bin's upper edge; the open last bin at the reference's 99th percentile,
    capped by its maximum (and never below the last edge)."""
    edges = column["edges"]
    return np.array([*edges, max(edges[-1], min(column["p99"], column["max"]))])


def numeric_drift(column, counts):
    reference = np.asarray(column["referenceCounts"], dtype=np.float64)
    points = bin_points(column)
    distance = wasserstein_distance(points, points, reference, counts)
    return distance / max(column["std"], MIN_WASSERSTEIN_STD), psi(reference, counts)


def categorical_drift(column, counts):
    reference = np.asarray(column["referenceCounts"], dtype=np.float64)
    return float(jensenshannon(reference, counts, base=2)), psi(reference, counts)


def numeric_features(meta, current):
    out = {}
    for column in meta["numeric"]:
        values = current[column["name"]]
        counts, missing = numeric_bins(column["edges"], values)
        statistic, p = numeric_drift(column, counts)
        out[column["name"]] = {
            "statistic": float(statistic),
            "psi": p,
            "missingRate": missing / len(values),
            "unseenRate": 0.0,
            "current": shares(counts).tolist(),
        }
    return out


def categorical_features(meta, current):
    out = {}
    for column in meta["categorical"]:
        codes = current[column["name"]]
        counts, missing, unseen = categorical_bins(column, codes)
        statistic, p = categorical_drift(column, counts)
        present = len(codes) - missing
        out[column["name"]] = {
            "statistic": statistic,
            "psi": p,
            "missingRate": missing / len(codes),
            "unseenRate": unseen / present if present > 0 else 0.0,
            "current": shares(counts).tolist(),
        }
    return out


def prediction(meta, current, costs):
    scores = current["scores"]
    decisions = current["decisions"]
    counts, _ = numeric_bins(meta["scores"]["edges"], scores)
    statistic, p = numeric_drift(meta["scores"], counts)
    both = ~(np.isnan(scores) | np.isnan(decisions))
    s = scores[both]
    positive = decisions[both] > 0
    cost = np.where(
        positive, s * costs["tp"] + (1 - s) * costs["fp"], s * costs["fn"] + (1 - s) * costs["tn"]
    )
    return {
        "statistic": float(statistic),
        "psi": p,
        "positiveRate": float(np.nanmean(decisions)),
        "current": shares(counts).tolist(),
        "estimatedCost": float(cost.mean()),
    }


def latency(current):
    values = current["latency"]
    values = values[~np.isnan(values)]
    p50, p95, p99 = np.percentile(values, [50, 95, 99], method="inverted_cdf")
    return {"p50": float(p50), "p95": float(p95), "p99": float(p99)}


def best_of(runs, fn):
    best = float("inf")
    result = None
    for _ in range(runs):
        t = time.perf_counter()
        result = fn()
        best = min(best, time.perf_counter() - t)
    return best, result


def reference_check(meta, data_dir):
    """Bins the reference rows with numpy and lists the columns whose counts differ from the profile's."""
    differ = []
    for column in meta["numeric"]:
        values = read(data_dir, f"ref_{column['name']}.f64", "<f8")
        counts, _ = numeric_bins(column["edges"], values)
        std = float(np.nanstd(values))
        if counts.tolist() != column["referenceCounts"] or abs(std - column["std"]) > 1e-9 * std:
            differ.append(column["name"])
    for column in meta["categorical"]:
        codes = read(data_dir, f"ref_{column['name']}.i32", "<i4")
        counts, _, _ = categorical_bins({**column, "dictionary": column["known"]}, codes)
        if counts.tolist() != column["referenceCounts"]:
            differ.append(column["name"])
    return differ


def main(data_dir):
    with open(os.path.join(data_dir, "meta.json")) as f:
        meta = json.load(f)
    current = {c["name"]: read(data_dir, f"cur_{c['name']}.f64", "<f8") for c in meta["numeric"]}
    for c in meta["categorical"]:
        current[c["name"]] = read(data_dir, f"cur_{c['name']}.i32", "<i4")
    for name in ("scores", "decisions", "latency"):
        current[name] = read(data_dir, f"cur_{name}.f64", "<f8")
    costs = meta["costs"]

    def window():
        return {
            "features": {**numeric_features(meta, current), **categorical_features(meta, current)},
            **prediction(meta, current, costs),
            "latency": latency(current),
        }

    window()  # warm-up: first-touch page faults, scipy's lazy imports
    seconds, stats = best_of(3, window)
    parts = {
        "numeric": best_of(3, lambda: numeric_features(meta, current))[0],
        "categorical": best_of(3, lambda: categorical_features(meta, current))[0],
        "prediction": best_of(3, lambda: prediction(meta, current, costs))[0],
        "latency": best_of(3, lambda: latency(current))[0],
    }
    print(
        json.dumps(
            {
                "seconds": seconds,
                "parts": parts,
                "stats": stats,
                "referenceBinsDiffer": reference_check(meta, data_dir),
                "python": sys.version.split()[0],
                "numpy": np.__version__,
                "scipy": scipy.__version__,
            }
        )
    )


if __name__ == "__main__":
    main(sys.argv[1])
