"""bench:train peer: XGBoost, tree_method=hist, lossguide growth with the same
leaves, rounds, learning rate, bins and threads as Flywheel; categorical
columns as native categoricals."""
import sys
import time

import xgboost as xgb

from common import best_rows_per_second, load, report, single_row_p50_us

data_dir, threads = sys.argv[1], int(sys.argv[2])
meta, x_train, y_train, x_test = load(data_dir)
p = meta["params"]
types = ["c" if f["type"] == "categorical" else "q" for f in meta["features"]]

start = time.perf_counter()
train = xgb.DMatrix(x_train, label=y_train, feature_types=types, enable_categorical=True, nthread=threads)
booster = xgb.train(
    {
        "objective": "binary:logistic",
        "tree_method": "hist",
        "grow_policy": "lossguide",
        "max_leaves": p["num_leaves"],
        "max_depth": 0,
        "eta": p["learning_rate"],
        "max_bin": p["max_bins"],
        "min_child_weight": 1e-3,
        "nthread": threads,
    },
    train,
    num_boost_round=p["rounds"],
)
train_seconds = time.perf_counter() - start

booster.set_param({"nthread": threads})
proba = booster.inplace_predict(x_test)
rows_per_second = best_rows_per_second(booster.inplace_predict, x_test)
p50 = single_row_p50_us(booster.inplace_predict, x_test, 300)
report(data_dir, "xgboost", train_seconds, proba, rows_per_second, p50)
