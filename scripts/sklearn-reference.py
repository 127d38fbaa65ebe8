#!/usr/bin/python3
"""Reference coefficients from scikit-learn for Flywheel's linear solvers.

Builds one seeded synthetic design matrix (500 x 6, no preprocessing: sklearn
and the TypeScript solvers see the very same numbers) with binary, 3-class and
regression targets and row weights, fits LogisticRegression (binary and
multinomial, with and without weights) and Ridge on it, and writes the data and
the fitted coefficients to src/models/linear/fixtures/sklearn-reference.json.
The JSON is checked in, so the tests never need Python.

Each logistic case is fitted twice, with the same objective:
- solver='lbfgs', tol=1e-12, max_iter=1e5: what users run. In sklearn 1.2 it
  stops on SciPy's default relative-decrease test (ftol ~ 2e-9) with a gradient
  still ~1e-3..1e-2, up to ~6e-4 from the optimum (printed below);
- solver='newton-cg', tol=1e-8: converged to |gradient| <= 4e-9, the optimum
  the TypeScript solver is held to.
Each case records max |gradient| of sum_i w_i*logloss_i + 0.5/C*||coef||^2 at
sklearn's solution. Ridge uses solver='cholesky' (exact).

Run from the repository root (Debian's python3-sklearn: apt-get install -y python3-sklearn):
    /usr/bin/python3 scripts/sklearn-reference.py
"""

import json
import pathlib

import numpy as np
import sklearn
from scipy.special import expit, logsumexp, softmax
from sklearn.linear_model import LogisticRegression, Ridge

SEED = 20240501
N = 500
OUT = pathlib.Path(__file__).resolve().parent.parent / 'src/models/linear/fixtures/sklearn-reference.json'


def design(rng):
    """500 x 6: four Gaussian columns on different scales and offsets, two 0/1 columns."""
    gaussian = rng.normal(size=(N, 4)) * np.array([1.0, 3.0, 0.5, 2.0]) + np.array([0.0, 1.0, -2.0, 5.0])
    binary = (rng.uniform(size=(N, 2)) < np.array([0.3, 0.6])).astype(float)
    return np.hstack([gaussian, binary])


def targets(rng, X):
    z = 0.4 + X @ np.array([1.2, -0.4, 0.8, 0.1, -1.0, 0.7])
    y_binary = (rng.uniform(size=N) < expit(z)).astype(float)
    B = np.array([[0.8, -0.3, 0.0, 0.2, 0.5, -0.5], [-0.5, 0.4, 1.0, -0.2, 0.0, 0.6], [0.0, 0.1, -0.9, 0.1, -0.4, 0.0]])
    logits = X @ B.T + np.array([-0.6, 2.5, -1.6])
    u = rng.uniform(size=N)
    y_multi = (np.cumsum(softmax(logits, axis=1), axis=1) < u[:, None]).sum(axis=1).astype(int)
    y_reg = 2.0 + X @ np.array([0.5, -1.5, 2.0, 0.3, 1.0, -0.7]) + rng.normal(scale=0.8, size=N)
    weights = rng.uniform(0.5, 2.0, size=N)
    return y_binary, y_multi, y_reg, weights


def logistic_gradient_max(X, y, w, coef, intercept, C, multinomial):
    """max |gradient| of sum_i w_i loss_i + 0.5/C ||coef||^2 at sklearn's solution."""
    if multinomial:
        Z = X @ coef.T + intercept
        P = np.exp(Z - logsumexp(Z, axis=1, keepdims=True))
        R = (P - np.eye(coef.shape[0])[y]) * w[:, None]
        g = np.concatenate([(R.T @ X + coef / C).ravel(), R.sum(axis=0)])
    else:
        r = (expit(X @ coef.ravel() + intercept[0]) - y) * w
        g = np.concatenate([X.T @ r + coef.ravel() / C, [r.sum()]])
    return float(np.abs(g).max())


def main():
    rng = np.random.default_rng(SEED)
    X = design(rng)
    y_binary, y_multi, y_reg, weights = targets(rng, X)
    ones = np.ones(N)
    cases = []

    logistic = [
        ('binary', y_binary, 'auto', 1.0, None),
        ('binary-weighted-C0.1', y_binary, 'auto', 0.1, weights),
        ('multinomial', y_multi, 'multinomial', 1.0, None),
        ('multinomial-weighted-C0.3', y_multi, 'multinomial', 0.3, weights),
    ]
    for name, y, multi_class, C, w in logistic:
        fits = {}
        for solver, tol in [('lbfgs', 1e-12), ('newton-cg', 1e-8)]:
            model = LogisticRegression(C=C, solver=solver, multi_class=multi_class, tol=tol, max_iter=100_000)
            model.fit(X, y, sample_weight=w)
            coef, intercept = model.coef_, model.intercept_
            grad = logistic_gradient_max(X, y, ones if w is None else w, coef, intercept, C, multi_class == 'multinomial')
            fits[solver] = {'coef': coef.tolist(), 'intercept': intercept.tolist(), 'gradient_max': grad}
        cases.append({
            'name': name, 'model': 'logistic', 'target': 'multiclass' if multi_class == 'multinomial' else 'binary',
            'C': C, 'weighted': w is not None, **fits,
        })

    for name, alpha, w in [('ridge', 1.0, None), ('ridge-weighted-alpha10', 10.0, weights)]:
        model = Ridge(alpha=alpha, solver='cholesky')
        model.fit(X, y_reg, sample_weight=w)
        cases.append({
            'name': name, 'model': 'ridge', 'target': 'regression', 'alpha': alpha, 'weighted': w is not None,
            'cholesky': {'coef': [model.coef_.tolist()], 'intercept': [float(model.intercept_)]},
        })

    fixture = {
        'generator': 'scripts/sklearn-reference.py',
        'sklearn': sklearn.__version__,
        'numpy': np.__version__,
        'seed': SEED,
        'rows': N,
        'cols': X.shape[1],
        'classes': int(y_multi.max()) + 1,
        'X': X.ravel().tolist(),
        'y_binary': y_binary.tolist(),
        'y_multiclass': y_multi.tolist(),
        'y_regression': y_reg.tolist(),
        'weights': weights.tolist(),
        'cases': cases,
    }
    OUT.parent.mkdir(parents=True, exist_ok=True)
    OUT.write_text(json.dumps(fixture) + '\n')
    for case in cases:
        if case['model'] != 'logistic':
            continue
        lbfgs, newton = case['lbfgs'], case['newton-cg']
        gap = max(abs(a - b) for key in ('coef', 'intercept') for a, b in zip(np.ravel(lbfgs[key]), np.ravel(newton[key])))
        print(f"{case['name']:28s} |grad| lbfgs {lbfgs['gradient_max']:.1e}  newton-cg {newton['gradient_max']:.1e}"
              f"  max |lbfgs - newton-cg| {gap:.1e}")
    print(f'wrote {OUT}')


if __name__ == '__main__':
    main()
