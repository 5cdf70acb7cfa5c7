#!/usr/bin/env bash
# Runs the training/ tests with a Python that has torch + onnx + numpy + pytest.
# Here that is /usr/bin/python3 (Debian: python3-torch python3-onnx python3-pytest python3-numpy);
# PYTHON=/path/to/python overrides. Fails loudly when none is found.
set -euo pipefail
cd "$(dirname "$0")/.."
candidates=("${PYTHON:-}" /usr/bin/python3 python3 python)
for py in "${candidates[@]}"; do
  [ -n "$py" ] || continue
  command -v "$py" >/dev/null 2>&1 || continue
  if "$py" -c 'import torch, onnx, numpy, pytest' >/dev/null 2>&1; then
    echo "training tests with $py ($("$py" -c 'import torch, onnx; print("torch", torch.__version__, "onnx", onnx.__version__)'))"
    exec "$py" -m pytest -q training/tests "$@"
  fi
done
echo "ERROR: no python with torch, onnx, numpy and pytest found (tried: ${candidates[*]})." >&2
echo "Install: apt-get install -y python3-torch python3-onnx python3-numpy python3-pytest  (or see training/README.md)" >&2
exit 1
