"""Writes kernels/data/karate.txt: Zachary's karate club as an edge list with the two factions.

Run once in any venv with networkx installed (e.g. tools/peers/.venv):
    python tools/data/make_karate.py
The output is committed; nothing is downloaded at run time.

Format (UTF-8 text): lines starting with `#` are comments; a line `factions: f0 f1 ... f33`
gives each member's club after the split (0 = Mr. Hi's, 1 = the Officer's); every other line
is one undirected edge `u v` with 0-based member ids, u < v, sorted. Edge weights (the number
of contexts in which two members interacted) are dropped: the kernel uses the unweighted graph.
"""
import os

import networkx as nx

root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
G = nx.karate_club_graph()
assert G.number_of_nodes() == 34 and G.number_of_edges() == 78
edges = sorted((min(u, v), max(u, v)) for u, v in G.edges())
factions = [0 if G.nodes[i]["club"] == "Mr. Hi" else 1 for i in range(34)]

lines = [
    "# Zachary's karate club (W. W. Zachary, J. Anthropological Research 33, 452-473, 1977).",
    "# 34 members, 78 undirected friendship edges (unweighted), 0-based ids (paper id - 1).",
    "# factions: club after the split, 0 = Mr. Hi (member 0), 1 = Officer (member 33).",
    "# Written by tools/data/make_karate.py from networkx.karate_club_graph().",
    "factions: " + " ".join(str(f) for f in factions),
]
lines += [f"{u} {v}" for u, v in edges]
with open(os.path.join(root, "kernels", "data", "karate.txt"), "w", encoding="utf-8") as f:
    f.write("\n".join(lines) + "\n")
print(f"wrote {len(edges)} edges")
