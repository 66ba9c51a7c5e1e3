#!/usr/bin/env bash
# Build docker/Dockerfile without a Docker engine and smoke-test the image: buildah on a local Debian base.
#
#   sudo bash scripts/docker-smoke.sh                 # both variants: tensorflow and jax
#   sudo bash scripts/docker-smoke.sh jax             # one of them
#
# For each backend it builds the image (CPU wheels by default; SMOKE_ACCELERATOR=cuda builds the GPU image's
# CUDA wheels too), then inside it runs `maskthefer --help` and a tiny build-dataset -> train (1 epoch, capped
# steps) -> evaluate on ../shared/data mounted read-only, and checks that each step wrote its files. It is not
# part of .ci/run: the first run makes the Debian base (about a minute) and each build downloads about 1 GB of
# wheels (minutes); see the README for the times measured.
#
# Why buildah and a home-made base: there is no Docker engine on the build machines and the CUDA base image
# cannot be pulled there, so the Dockerfile's CUDA_IMAGE argument gets a minimal Debian (`debootstrap
# --variant=minbase`) imported as an image. `podman run` cannot set rlimits there, so the image's commands run
# with `buildah run --isolation chroot`. Needs root and the Debian packages buildah, podman and debootstrap.
#
# Environment:
#   MASKTHEFER_DATA    the shared data [../shared/data beside the checkout], mounted read-only at /data
#   SMOKE_OUT          where the smoke datasets and runs land [/tmp/maskthefer-smoke/<backend>]
#   SMOKE_LIMIT        FER2013 rows to build from [300];  SMOKE_STEPS: training steps [5]
#   SMOKE_ACCELERATOR  cpu | cuda, the Dockerfile's ACCELERATOR [cpu]
#   BASE_IMAGE         the base image's name [localhost/maskthefer-debian-base:bookworm]; made when missing
#   DEBIAN_MIRROR      for debootstrap [the first URIs line of /etc/apt/sources.list.d/debian.sources]
#   HOST_CA            a CA bundle mounted for pip during the build only [/etc/ssl/certs/ca-certificates.crt]
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
data="$(realpath "${MASKTHEFER_DATA:-$root/../shared/data}")"
limit="${SMOKE_LIMIT:-300}"
steps="${SMOKE_STEPS:-5}"
accelerator="${SMOKE_ACCELERATOR:-cpu}"
base="${BASE_IMAGE:-localhost/maskthefer-debian-base:bookworm}"
host_ca="${HOST_CA:-/etc/ssl/certs/ca-certificates.crt}"
backends=("$@")
[ ${#backends[@]} -gt 0 ] || backends=(tensorflow jax)

fail() { echo "docker-smoke: $*" >&2; exit 1; }
step() { echo "== $*"; }
seconds() { local start=$1; echo $(( $(date +%s) - start )); }

[ "$(id -u)" = 0 ] || fail "needs root (buildah with --isolation chroot); run it with sudo"
for tool in buildah podman; do
  command -v "$tool" >/dev/null || fail "$tool is missing: apt-get install buildah podman debootstrap"
done
[ -f "$data/fer2013/fer2013.csv.gz" ] || fail "no FER2013 CSV at $data/fer2013/fer2013.csv.gz (set MASKTHEFER_DATA)"
for backend in "${backends[@]}"; do
  case "$backend" in tensorflow|jax) ;; *) fail "unknown backend '$backend' (tensorflow or jax)" ;; esac
done

make_base() {
  # A minimal Debian bookworm root file system, imported as the image the Dockerfile builds FROM.
  command -v debootstrap >/dev/null || fail "debootstrap is missing: apt-get install debootstrap"
  local mirror="${DEBIAN_MIRROR:-}"
  if [ -z "$mirror" ] && [ -f /etc/apt/sources.list.d/debian.sources ]; then
    mirror="$(awk '/^URIs:/ {print $2; exit}' /etc/apt/sources.list.d/debian.sources)"
  fi
  mirror="${mirror:-http://deb.debian.org/debian}"
  local rootfs start
  rootfs="$(mktemp -d /tmp/maskthefer-base.XXXXXX)"
  start=$(date +%s)
  step "making $base: debootstrap --variant=minbase bookworm from $mirror"
  debootstrap --variant=minbase bookworm "$rootfs" "$mirror" > "$rootfs.log" 2>&1 \
    || { tail -20 "$rootfs.log" >&2; fail "debootstrap failed (log: $rootfs.log)"; }
  tar -C "$rootfs" -c . | podman import --quiet - "$base" >/dev/null
  rm -rf "$rootfs" "$rootfs.log"
  echo "   base made in $(seconds "$start") s"
}

image_exists() { buildah inspect --type image "$1" >/dev/null 2>&1; }

build_image() {
  local backend=$1 image=$2 start
  start=$(date +%s)
  step "building $image (BACKEND=$backend ACCELERATOR=$accelerator on $base)"
  buildah bud --isolation chroot --layers -f "$root/docker/Dockerfile" \
    --build-arg CUDA_IMAGE="$base" --build-arg BACKEND="$backend" --build-arg ACCELERATOR="$accelerator" \
    --build-arg PIP_CERT=/run/host-ca.pem --volume "$host_ca:/run/host-ca.pem:ro" \
    -t "$image" "$root" > "$log_dir/build.log" 2>&1 \
    || { tail -30 "$log_dir/build.log" >&2; fail "building $image failed (log: $log_dir/build.log)"; }
  echo "   built in $(seconds "$start") s; size $(buildah images --format '{{.Size}}' "$image" | head -1)"
}

smoke_test() {
  local backend=$1 image=$2 out=$3 start
  rm -rf "$out/datasets" "$out/runs"
  mkdir -p "$out/datasets" "$out/runs"
  in_image() {
    # A fresh container per command: buildah drops the bind mounts over the image's VOLUME folders from
    # the second `buildah run` in one container on (/data is then empty).
    local container status=0
    container="$(buildah from "$image")"
    containers+=("$container")
    buildah run --isolation chroot -v "$data:/data:ro" -v "$out/datasets:/datasets" -v "$out/runs:/runs" \
      "$container" -- "$@" || status=$?
    buildah rm "$container" >/dev/null
    return $status
  }
  step "$image: maskthefer --help"
  in_image maskthefer --help > "$out/help.txt"
  head -3 "$out/help.txt"
  start=$(date +%s)
  step "$image: build-dataset ($limit FER2013 rows from /data, read-only)"
  in_image maskthefer build-dataset --source fer2013 --limit "$limit" --out /datasets/fer-smoke
  step "$image: train (1 epoch, $steps steps)"
  in_image maskthefer train --data /datasets/fer-smoke --run-dir /runs/smoke --epochs 1 --steps-per-epoch "$steps"
  step "$image: evaluate"
  in_image maskthefer evaluate --run /runs/smoke --confusion
  local missing=()
  for file in datasets/fer-smoke/manifest.json runs/smoke/config.json runs/smoke/state.json runs/smoke/best.keras \
              runs/smoke/history.csv runs/smoke/evaluation/test/metrics.json runs/smoke/evaluation/test/predictions.csv; do
    [ -s "$out/$file" ] || missing+=("$file")
  done
  [ ${#missing[@]} -eq 0 ] || fail "$image: missing outputs under $out: ${missing[*]}"
  grep -q "\"backend\": \"$backend\"" "$out/runs/smoke/config.json" || fail "$image did not train on $backend"
  echo "   $image: build -> train -> evaluate in $(seconds "$start") s; outputs in $out"
}

containers=()
trap 'for c in "${containers[@]}"; do buildah rm "$c" >/dev/null 2>&1 || true; done' EXIT
total=$(date +%s)
image_exists "$base" || make_base
for backend in "${backends[@]}"; do
  image="localhost/maskthefer:$backend-$accelerator"
  out="${SMOKE_OUT:-/tmp/maskthefer-smoke}/$backend"
  log_dir="$out"
  mkdir -p "$log_dir"
  build_image "$backend" "$image"
  smoke_test "$backend" "$image" "$out"
done
echo "docker-smoke: all passed (${backends[*]}) in $(seconds "$total") s"
