#!/usr/bin/env bash
# Peer environment for benchmarks/e3nn.py: e3nn-jax 0.21 in a virtualenv of
# its own, out of the repository and out of CI.
# Usage: bash benchmarks/setup_e3nn_venv.sh [TARGET_DIR]   (default: ~/.venvs/e3nn)
# Then:  python benchmarks/e3nn.py --e3nn TARGET_DIR/bin/python
set -euo pipefail
TARGET="${1:-$HOME/.venvs/e3nn}"
PY="${PYTHON:-python3}"

"$PY" -m venv "$TARGET"
"$TARGET/bin/python" -m pip install -q --upgrade pip
"$TARGET/bin/python" -m pip install -q 'e3nn-jax==0.21.0'
"$TARGET/bin/python" - <<'PY'
import e3nn_jax as e3nn
print("e3nn-jax", e3nn.__version__, e3nn.reduced_tensor_product_basis("ij", i="1o", j="1o", keep_ir="0e").shape)
PY
