"""Golden values for the `gcn` kernel, computed independently with networkx, numpy and scipy.

Run through `tools/peers/run.sh gen_gcn.py`. Writes kernels/tests/goldens/gcn.json, read by
kernels/tests/gcn_kernel.rs.

- karate: networkx's karate_club_graph (unweighted), its renormalised adjacency
  D~^-1/2 (A + I) D~^-1/2 (Kipf & Welling 2017) built with numpy from networkx's adjacency
  matrix, networkx's normalized_laplacian_matrix, LAPACK eigenvalues (numpy.linalg.eigvalsh),
  and the heat filter expm(-tau L) x (scipy) of the signal e_0 - e_33 — a spectral filter
  computed without any eigendecomposition.
- random: a G(n, m) random graph (with isolated nodes possible) for the eigenvalue solver.
Matrices are {"shape": [...], "data": [row-major values]}.
"""

import json
import os

import networkx as nx
import numpy as np
import scipy.linalg

OUT = os.path.join("kernels", "tests", "goldens", "gcn.json")


def tensor(a):
    a = np.asarray(a, dtype=np.float64)
    return {"shape": list(a.shape), "data": a.reshape(-1).tolist()}


def edges_of(g):
    return sorted([min(u, v), max(u, v)] for u, v in g.edges())


def laplacian(g):
    return nx.normalized_laplacian_matrix(g, nodelist=range(g.number_of_nodes()), weight=None).toarray()


karate = nx.karate_club_graph()
n = karate.number_of_nodes()
a = nx.to_numpy_array(karate, nodelist=range(n), weight=None)
a_tilde = a + np.eye(n)
d_inv_sqrt = 1.0 / np.sqrt(a_tilde.sum(axis=1))
a_hat = a_tilde * d_inv_sqrt[:, None] * d_inv_sqrt[None, :]
lap = laplacian(karate)
tau = 1.5
x = np.zeros(n)
x[0], x[33] = 1.0, -1.0

random_graph = nx.gnm_random_graph(60, 150, seed=7)

golden = {
    "karate": {
        "edges": edges_of(karate),
        "factions": [0 if karate.nodes[i]["club"] == "Mr. Hi" else 1 for i in range(n)],
        "a_hat": tensor(a_hat),
        "laplacian": tensor(lap),
        "eigenvalues": np.linalg.eigvalsh(lap).tolist(),
        "heat_filter": {"tau": tau, "x": x.tolist(), "y": (scipy.linalg.expm(-tau * lap) @ x).tolist()},
    },
    "random": {
        "n": random_graph.number_of_nodes(),
        "edges": edges_of(random_graph),
        "eigenvalues": np.linalg.eigvalsh(laplacian(random_graph)).tolist(),
    },
}
with open(OUT, "w") as f:
    json.dump(golden, f)
print(f"wrote {OUT}")
