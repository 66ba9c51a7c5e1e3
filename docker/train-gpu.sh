#!/usr/bin/env bash
# Build the masked FER2013 dataset (CPU) and train on the GPU inside the maskthefer image.
# Usage: bash docker/train-gpu.sh IMAGE [train options...]
#   e.g. bash docker/train-gpu.sh maskthefer:jax --model vgg-lite --epochs 150
# Mounts ../shared/data read-only at /data, ./datasets and ./runs read-write.
set -euo pipefail
image="${1:?usage: train-gpu.sh IMAGE [train options]}"; shift
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
data="${MASKTHEFER_DATA:-$root/../shared/data}"
mkdir -p "$root/datasets" "$root/runs"
mounts=(-v "$data:/data:ro" -v "$root/datasets:/datasets" -v "$root/runs:/runs")
docker run --rm "${mounts[@]}" "$image" build-dataset --source fer2013 --out /datasets/fer2013
docker run --rm --gpus all "${mounts[@]}" "$image" train --data /datasets/fer2013 --run-dir /runs/fer2013 "$@"
docker run --rm --gpus all "${mounts[@]}" "$image" evaluate --run /runs/fer2013 --confusion
