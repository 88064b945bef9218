#!/usr/bin/env bash
# Make the Docker backend usable on a CI machine (Debian, root): install Debian's docker.io,
# start dockerd in the background, wait for it, build the sandbox image offline.
# Idempotent: each step is skipped when already done. Never fails the CI run: where no
# engine can run, it says why and the docker tests skip (saying why as well).
set -uo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
LOG_DIR=${HOTPATH_CI_LOG_DIR:-/var/log/hotpath}
say() { echo "[prepare-docker] $*" >&2; }
give_up() { say "$*; the docker tests will skip"; exit 0; }

[ "$(id -u)" = 0 ] || give_up "not root: cannot install or start dockerd"
mkdir -p "$LOG_DIR"
DOCKER=/usr/bin/docker  # Debian's client, matching its daemon (another client may come first on PATH)

if ! [ -x /usr/sbin/dockerd ] || ! [ -x /usr/sbin/debootstrap ]; then
  say "installing docker.io and debootstrap"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq >"$LOG_DIR/apt-update.log" 2>&1 || give_up "apt-get update failed (see $LOG_DIR/apt-update.log)"
  apt-get install -y -qq docker.io debootstrap >"$LOG_DIR/apt-install.log" 2>&1 || give_up "apt-get install docker.io failed (see $LOG_DIR/apt-install.log)"
fi

if ! "$DOCKER" info >/dev/null 2>&1; then
  say "starting dockerd (log: $LOG_DIR/dockerd.log)"
  nohup /usr/sbin/dockerd >"$LOG_DIR/dockerd.log" 2>&1 &
  for _ in $(seq 1 60); do
    "$DOCKER" info >/dev/null 2>&1 && break
    sleep 1
  done
  "$DOCKER" info >/dev/null 2>&1 || give_up "dockerd did not answer within 60 s (see $LOG_DIR/dockerd.log)"
fi
say "engine $("$DOCKER" version --format '{{.Server.Version}}' 2>/dev/null) is up"

PATH="/usr/bin:$PATH" "$ROOT/scripts/build_sandbox_image.sh" >"$LOG_DIR/build-image.log" 2>&1 \
  || give_up "building the sandbox image failed (see $LOG_DIR/build-image.log)"
say "sandbox image $(tail -n 1 "$LOG_DIR/build-image.log") ready"
