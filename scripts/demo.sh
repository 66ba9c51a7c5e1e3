#!/usr/bin/env bash
# Set up .venv and run the main job on real data, small and quick: build a masked FER2013 slice,
# train VGG-lite for a few epochs, evaluate it with a confusion matrix. Outputs go to out/demo/.
# Scale it up with environment variables, e.g. LIMIT=0 EPOCHS=150 bash scripts/demo.sh (LIMIT=0: all images).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
bash "$root/scripts/setup-env.sh"
cd "$root"
limit="${LIMIT:-3000}"
epochs="${EPOCHS:-3}"
out="${OUT_DIR:-out/demo}"
mt=.venv/bin/maskthefer
$mt build-dataset --source fer2013 --limit "$limit" --out "$out/data"
$mt train --model vgg-lite --data "$out/data" --epochs "$epochs" --run-dir "$out/run" --overwrite
$mt evaluate --run "$out/run" --confusion
