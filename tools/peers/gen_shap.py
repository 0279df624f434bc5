"""Golden Shapley values for the `shap` kernel, from the shap library's exact explainer.

Run through `tools/peers/run.sh gen_shap.py`. Writes kernels/tests/goldens/shap.json, read by
kernels/tests/xai_shap.rs.

A fixed nonlinear function of 5 features (with interactions), a seeded background of 20 rows and
4 rows to explain. shap.explainers.Exact with an Independent masker over the whole background
computes interventional Shapley values by evaluating every coalition — the definition the Rust
kernel implements (by a different enumeration). The Rust test re-implements `f` below.
"""

import json
import os

import numpy as np
import shap

OUT = os.path.join("kernels", "tests", "goldens", "shap.json")


def f(x):
    x = np.asarray(x, dtype=np.float64)
    return (
        x[:, 0] * x[:, 1]
        + np.sin(x[:, 2])
        + 0.5 * x[:, 3] ** 2
        - x[:, 4]
        + 0.3 * x[:, 0] * x[:, 2] * x[:, 3]
    )


background = np.round(np.random.RandomState(0).normal(size=(20, 5)), 4)
rows = np.round(np.random.RandomState(1).normal(size=(4, 5)) * 1.5, 4)
masker = shap.maskers.Independent(background, max_samples=len(background))
explanation = shap.explainers.Exact(f, masker)(rows)

golden = {
    "function": "x0*x1 + sin(x2) + 0.5*x3^2 - x4 + 0.3*x0*x2*x3",
    "shap_version": shap.__version__,
    "background": background.tolist(),
    "rows": rows.tolist(),
    "values": np.asarray(explanation.values).tolist(),
    "base_values": np.asarray(explanation.base_values).tolist(),
    "predictions": f(rows).tolist(),
}
with open(OUT, "w") as f_out:
    json.dump(golden, f_out)
print(f"wrote {OUT}")
