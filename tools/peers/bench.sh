#!/usr/bin/env bash
# Side-by-side timings against jitted JAX and NumPy (issue #14); see bench.py's header.
#
#   tools/peers/bench.sh              # the peers only
#   tools/peers/bench.sh --compare    # and our `cargo bench` counterparts, in one table
#
# Creates the throw-away venv tools/peers/.venv (git-ignored) if needed, installs numpy and
# jax[cpu], then runs bench.py with the arguments given.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
venv="$here/.venv"
if [ ! -x "$venv/bin/python" ]; then
  python3 -m venv "$venv"
fi
"$venv/bin/pip" install --quiet --disable-pip-version-check numpy 'jax[cpu]'
exec "$venv/bin/python" "$here/bench.py" "$@"
