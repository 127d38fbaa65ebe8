"""bench:train peer: scikit-learn's HistGradientBoostingClassifier with the
same leaves, rounds, learning rate, bins and threads (OMP_NUM_THREADS, set by
bench/train.mjs); categorical columns as native categoricals; no early
stopping."""
import sys
import time

from sklearn.ensemble import HistGradientBoostingClassifier

from common import best_rows_per_second, load, report, single_row_p50_us

data_dir = sys.argv[1]
meta, x_train, y_train, x_test = load(data_dir)
p = meta["params"]
categorical = [i for i, f in enumerate(meta["features"]) if f["type"] == "categorical"]

start = time.perf_counter()
model = HistGradientBoostingClassifier(
    max_iter=p["rounds"],
    max_leaf_nodes=p["num_leaves"],
    learning_rate=p["learning_rate"],
    max_bins=p["max_bins"],
    min_samples_leaf=20,
    l2_regularization=0.0,
    early_stopping=False,
    categorical_features=categorical or None,
    random_state=1,
)
model.fit(x_train, y_train)
train_seconds = time.perf_counter() - start


def proba_of(x):
    return model.predict_proba(x)[:, 1]


proba = proba_of(x_test)
rows_per_second = best_rows_per_second(proba_of, x_test)
p50 = single_row_p50_us(proba_of, x_test, 200)
report(data_dir, "sklearn", train_seconds, proba, rows_per_second, p50)
