#!/usr/bin/env bash
# Regenerates the peer goldens (JAX, gymnasium, networkx, shap) that the Rust tests read.
#
# Creates a throw-away venv in tools/peers/.venv, installs requirements.txt, then runs every
# gen_*.py here (or only those named: `tools/peers/run.sh gen_nn.py`). Each generator writes
# JSON under kernels/tests/goldens/. Rerun only when a generator's cases change; the
# outputs are committed, so `cargo test` never needs Python.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
venv="$here/.venv"
if [ ! -x "$venv/bin/python" ]; then
  python3 -m venv "$venv"
fi
"$venv/bin/pip" install --quiet --disable-pip-version-check -r "$here/requirements.txt"
mkdir -p "$root/kernels/tests/goldens"
cd "$root"
if [ $# -gt 0 ]; then gens=("$@"); else gens=($(cd "$here" && ls gen_*.py)); fi
for g in "${gens[@]}"; do
  echo "== $g"
  "$venv/bin/python" "$here/$g"
done
