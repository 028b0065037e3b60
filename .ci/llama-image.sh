#!/usr/bin/env bash
# Builds the llama-server test image from Debian unstable's llama.cpp-tools package, with no
# registry: debootstrap a minimal sid root filesystem and `docker import` it with the server as
# its entrypoint (so it behaves like the official llama.cpp server images).
# Idempotent: when the image exists it returns at once.
set -euo pipefail

IMAGE="${SNOWCRASH_TEST_IMAGE:-snowcrash/llama-server:sid}"
log() { echo "[llama-image] $*" >&2; }

if ! docker info >/dev/null 2>&1; then
  log "no Docker engine answers; run .ci/docker-engine.sh first"
  exit 1
fi

if docker image inspect "$IMAGE" >/dev/null 2>&1; then
  log "image $IMAGE already present"
  exit 0
fi

if ! command -v debootstrap >/dev/null 2>&1; then
  log "installing debootstrap"
  export DEBIAN_FRONTEND=noninteractive NEEDRESTART_SUSPEND=1
  apt-get update -qq
  apt-get install -y -qq debootstrap >/dev/null
fi

root="$(mktemp -d /var/tmp/snowcrash-sid.XXXXXX)"
trap 'rm -rf "$root"' EXIT
log "debootstrap sid with llama.cpp-tools into $root"
debootstrap --variant=minbase --include=llama.cpp-tools sid "$root" >"$root.log" 2>&1 || {
  log "debootstrap failed; last lines:"; tail -n 30 "$root.log" >&2; exit 1; }
rm -f "$root.log"
test -x "$root/usr/bin/llama-server" || { log "llama-server missing from the root filesystem"; exit 1; }
# Trim what a server never needs, to keep the image small.
rm -rf "$root"/var/cache/apt/archives/*.deb "$root"/var/lib/apt/lists/* "$root"/usr/share/doc "$root"/usr/share/man
tar -C "$root" -c . | docker import \
  --change 'ENTRYPOINT ["/usr/bin/llama-server"]' \
  --change 'LABEL org.snowcrash.test-image=true' - "$IMAGE" >/dev/null
log "built $IMAGE: $(docker image inspect "$IMAGE" --format '{{.Size}}') bytes"
