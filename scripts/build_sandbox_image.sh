#!/usr/bin/env bash
# Build the sandbox image with no registry: debootstrap a Debian rootfs, `docker import` it,
# then build sandbox/images/Dockerfile on top (torch + numpy from local wheels).
# Idempotent: every stage is skipped when its content-hash tag already exists.
#
#   scripts/build_sandbox_image.sh                 # offline Debian base
#   HOTPATH_SANDBOX_BASE=pytorch/pytorch:2.5.1-cuda12.4-cudnn9-runtime scripts/build_sandbox_image.sh
#
# Prints the image tag on the last line. Needs root (debootstrap) for the offline base.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
CACHE=${HOTPATH_CACHE:-/var/cache/hotpath}
SUITE=${HOTPATH_DEBIAN_SUITE:-bookworm}
MIRROR=${HOTPATH_DEBIAN_MIRROR:-http://deb.debian.org/debian}
BASE=${HOTPATH_SANDBOX_BASE:-}
IMAGE=${HOTPATH_SANDBOX_IMAGE_REPO:-hotpath-sandbox}
TORCH_SPEC=${HOTPATH_TORCH_SPEC:-torch==2.13.0}
PIP=${PIP:-$ROOT/.venv/bin/pip}
if ! [ -x "$PIP" ]; then
  if python3 -m pip --version >/dev/null 2>&1; then PIP="python3 -m pip"
  else  # a clean CI machine may run this before `make setup`: a throwaway venv just for `pip download`
    python3 -m venv "${HOTPATH_CACHE:-/var/cache/hotpath}/pip-venv" >&2 && PIP="${HOTPATH_CACHE:-/var/cache/hotpath}/pip-venv/bin/pip"
  fi
fi
log() { echo "[build_sandbox_image] $*" >&2; }
have_image() { docker image inspect "$1" >/dev/null 2>&1; }

mkdir -p "$CACHE"
if [ -z "$BASE" ]; then
  BASE_TAG="hotpath-debian-base:$SUITE-minbase-py3"
  if ! have_image "$BASE_TAG"; then
    rootfs="$CACHE/rootfs-$SUITE"
    rm -rf "$rootfs"
    log "debootstrap $SUITE into $rootfs (about a minute)"
    debootstrap --variant=minbase --include=python3,python3-pip "$SUITE" "$rootfs" "$MIRROR" >&2
    rm -rf "$rootfs"/var/cache/apt/archives/*.deb "$rootfs"/var/lib/apt/lists/*
    log "docker import -> $BASE_TAG"
    tar -C "$rootfs" -c . | docker import -c 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' - "$BASE_TAG" >&2
    rm -rf "$rootfs"
  fi
  BASE="$BASE_TAG"
fi

wheels="$CACHE/wheels"
mkdir -p "$wheels"
if ! ls "$wheels"/torch-*.whl >/dev/null 2>&1 || ! ls "$wheels"/numpy-*.whl >/dev/null 2>&1; then
  log "collecting wheels ($TORCH_SPEC, numpy) into $wheels"
  $PIP download --quiet --only-binary=:all: --dest "$wheels" "$TORCH_SPEC" numpy >&2
fi

ctx=$(mktemp -d)
trap 'rm -rf "$ctx"' EXIT
cp "$ROOT/sandbox/images/Dockerfile" "$ctx/Dockerfile"
cp "$ROOT/sandbox/jail.py" "$ctx/jail.py"
mkdir "$ctx/wheels"
ln "$wheels"/*.whl "$ctx/wheels/" 2>/dev/null || cp "$wheels"/*.whl "$ctx/wheels/"
base_id=$(docker image inspect --format '{{.Id}}' "$BASE" 2>/dev/null || echo "$BASE")
hash=$( { cat "$ctx/Dockerfile" "$ctx/jail.py"; echo "$base_id"; (cd "$ctx/wheels" && ls | sort); } | sha256sum | cut -c1-16)
TAG="$IMAGE:$hash"
if have_image "$TAG"; then
  log "$TAG exists; nothing to build"
else
  log "docker build $TAG FROM $BASE"
  docker build --build-arg "BASE=$BASE" -t "$TAG" "$ctx" >&2
fi
docker tag "$TAG" "$IMAGE:latest"
echo "$TAG"
