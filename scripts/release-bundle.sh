#!/usr/bin/env bash
# Remake the release bundle that `maskthefer predict --run BUNDLE` and `Recognizer.load(BUNDLE)` use: an
# eye-region expression model (masked faces), a full-face model (unmasked faces) and the mask classifier that
# routes between them, trained by their experiments on the data in ../shared/data (or $MASKTHEFER_DATA), then
# exported together and checked against the runs.
#
#   bash scripts/release-bundle.sh                          # the small bundle (default): vgg-lite-small, CPU hours
#   bash scripts/release-bundle.sh --paper                  # the paper's VGG-lite, 150 epochs (a GPU job)
#   bash scripts/release-bundle.sh --limit 4000 --epochs 3  # a quick bundle to try the chain
#
# The small bundle (experiments vgglite_small_fer2013 and fullface_fer2013_small, 329 k parameters each) is the
# one that keeps `predict` within 20 ms per face on one CPU core (README, bench/predict_latency.py); --paper
# exports maskthefer_fer2013 and fullface_fer2013 (36.9 M and 27.4 M parameters) instead. Both take the mask
# classifier of masknet_fer2013.
#
# Other options after the script name go to every `maskthefer experiment` call. OUT (default
# bundles/maskthefer-fer2013-small, or bundles/maskthefer-fer2013 with --paper), FORMAT (onnx, the default and
# the fastest on a CPU, needs the [onnx] extra; or keras, saved_model, tflite), QUANTIZE (none or int8, ONNX
# only) and DETECT_SIDE (the largest side HOG searches with this bundle, default 640: the whole frame; 400
# keeps one face per 640x480 frame within 20 ms on one core but misses faces under about 128 px, see the
# README's latency table) set the export.
set -euo pipefail
cd "$(dirname "$0")/.."
MASKTHEFER=${MASKTHEFER:-.venv/bin/maskthefer}

eyes=vgglite_small_fer2013
face=fullface_fer2013_small
name=maskthefer-fer2013-small
suffix=""
args=()
while (($#)); do  # --paper picks the models; --limit / --epochs also name the run folders `experiment` writes
  case "$1" in
    --paper) eyes=maskthefer_fer2013 face=fullface_fer2013 name=maskthefer-fer2013; shift; continue ;;
    --limit) suffix+="-limit${2:?--limit needs a value}" ;;
    --epochs) suffix+="-epochs${2:?--epochs needs a value}" ;;
  esac
  args+=("$1")
  shift
done
OUT=${OUT:-bundles/$name}
FORMAT=${FORMAT:-onnx}
QUANTIZE=${QUANTIZE:-none}
DETECT_SIDE=${DETECT_SIDE:-640}

for experiment in "$eyes" "$face" masknet_fer2013; do
  "$MASKTHEFER" experiment "$experiment" ${args[@]+"${args[@]}"}
done
"$MASKTHEFER" export --run "runs/${eyes}${suffix}" --mask-run "runs/masknet_fer2013${suffix}" \
  --face-run "runs/${face}${suffix}" --out "$OUT" --format "$FORMAT" --quantize "$QUANTIZE" --detect-side "$DETECT_SIDE" \
  --overwrite
echo "bundle: $OUT"
