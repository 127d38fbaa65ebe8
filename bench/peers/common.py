"""Shared helpers for the bench:train peers: read the exported matrices, time
prediction the same way for every peer, and report one JSON line."""
import json
import os
import resource
import sys
import time

import numpy as np


def load(data_dir):
    """The train/test matrices bench/train.mjs exported (row-major float64,
    NaN for missing, categorical columns as integer codes)."""
    with open(os.path.join(data_dir, "meta.json")) as f:
        meta = json.load(f)
    k = len(meta["features"])

    def read(name):
        return np.fromfile(os.path.join(data_dir, name), dtype="<f8")

    return (
        meta,
        read("train_X.f64").reshape(-1, k),
        read("train_y.f64"),
        read("test_X.f64").reshape(-1, k),
    )


def best_rows_per_second(predict, x, runs=3):
    """Batch prediction speed: the best of `runs` full passes over x."""
    best = float("inf")
    for _ in range(runs):
        t = time.perf_counter()
        predict(x)
        best = min(best, time.perf_counter() - t)
    return len(x) / best


def single_row_p50_us(predict_one, x, rows):
    """Median latency of predicting one row at a time, in microseconds."""
    for i in range(20):
        predict_one(x[i : i + 1])
    times = []
    for i in range(rows):
        row = x[i : i + 1]
        t = time.perf_counter()
        predict_one(row)
        times.append(time.perf_counter() - t)
    return float(np.median(times) * 1e6)


def report(data_dir, name, train_seconds, proba, rows_per_second, p50_us):
    """Writes the test probabilities beside the data and prints the figures as JSON."""
    proba.astype("<f8").tofile(os.path.join(data_dir, f"{name}.pred.f64"))
    peak_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print(
        json.dumps(
            {
                "name": name,
                "trainSeconds": train_seconds,
                "peakRssMB": peak_kb / 1024,
                "batchRowsPerSecond": rows_per_second,
                "singleRowP50us": p50_us,
            }
        )
    )
    sys.stdout.flush()
