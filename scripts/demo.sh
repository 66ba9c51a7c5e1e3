#!/usr/bin/env bash
# Set up .venv and run the main job on real data, small and quick: experiments/demo_fer2013.py masks and crops
# the first 14,000 FER2013 rows, trains vgg-lite-small for 10 epochs, evaluates it on the test split and prints
# the result beside its goal; then the confusion matrix. Everything goes to out/demo/ (results: out/demo/results).
# Scale it with environment variables: LIMIT=3000 EPOCHS=2 bash scripts/demo.sh (a quicker look at the chain).
# The paper's own run is `maskthefer experiment maskthefer_fer2013` (all images, VGG-lite, 150 epochs).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
bash "$root/scripts/setup-env.sh"
cd "$root"
out="${OUT_DIR:-out/demo}"
mt=.venv/bin/maskthefer
$mt experiment demo_fer2013 --datasets-dir "$out/datasets" --runs-dir "$out/runs" --results-dir "$out/results" \
    ${LIMIT:+--limit "$LIMIT"} ${EPOCHS:+--epochs "$EPOCHS"}
run="$($mt experiment demo_fer2013 --show --runs-dir "$out/runs" ${LIMIT:+--limit "$LIMIT"} ${EPOCHS:+--epochs "$EPOCHS"} \
    | sed -n 's/^run folder: //p')"
$mt evaluate --run "$run" --confusion
