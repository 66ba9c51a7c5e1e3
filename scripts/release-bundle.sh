#!/usr/bin/env bash
# Remake the release bundle that `maskthefer predict --run BUNDLE` and `Recognizer.load(BUNDLE)` use: the
# paper's eye-region expression model (masked faces), the full-face model (unmasked faces) and the mask
# classifier that routes between them, trained by their experiments on the data in ../shared/data (or
# $MASKTHEFER_DATA), then exported together and checked against the runs.
#
#   bash scripts/release-bundle.sh                          # the full experiments (a GPU job for the 150 epochs)
#   bash scripts/release-bundle.sh --limit 4000 --epochs 3  # a quick bundle to try the chain
#
# Options after the script name go to both `maskthefer experiment` calls. OUT (default
# bundles/maskthefer-fer2013) and FORMAT (keras, saved_model, tflite or onnx; onnx is the fastest on a CPU and
# needs the [onnx] extra) set the export.
set -euo pipefail
cd "$(dirname "$0")/.."
OUT=${OUT:-bundles/maskthefer-fer2013}
FORMAT=${FORMAT:-keras}
MASKTHEFER=${MASKTHEFER:-.venv/bin/maskthefer}

suffix=""
args=("$@")
for ((i = 0; i < ${#args[@]}; i++)); do  # the run folders `experiment` names after --limit / --epochs
  case "${args[i]}" in
    --limit) suffix+="-limit${args[i + 1]}" ;;
    --epochs) suffix+="-epochs${args[i + 1]}" ;;
  esac
done

"$MASKTHEFER" experiment maskthefer_fer2013 "$@"
"$MASKTHEFER" experiment fullface_fer2013 "$@"
"$MASKTHEFER" experiment masknet_fer2013 "$@"
"$MASKTHEFER" export --run "runs/maskthefer_fer2013${suffix}" --mask-run "runs/masknet_fer2013${suffix}" \
  --face-run "runs/fullface_fer2013${suffix}" --out "$OUT" --format "$FORMAT" --overwrite
echo "bundle: $OUT"
