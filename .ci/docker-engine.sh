#!/usr/bin/env bash
# Makes sure a Docker engine answers on this machine, installing and starting one when needed.
# Idempotent: a second run finds the engine the first one started and returns at once.
set -euo pipefail

log() { echo "[docker-engine] $*" >&2; }

if docker info >/dev/null 2>&1; then
  log "engine already answers: $(docker version --format '{{.Server.Version}} (API {{.Server.APIVersion}})' 2>/dev/null || echo '?')"
  exit 0
fi

if ! command -v dockerd >/dev/null 2>&1; then
  log "installing docker.io from Debian's packages"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq docker.io >/dev/null
fi

# No systemd on these machines: run the daemon detached from this shell, so that it outlives
# this script and the CI step that called it.
log_file=/var/log/snowcrash-dockerd.log
log "starting dockerd (log: $log_file)"
setsid dockerd >"$log_file" 2>&1 < /dev/null &

for _ in $(seq 1 120); do
  if docker info >/dev/null 2>&1; then
    log "engine ready: $(docker version --format '{{.Server.Version}} (API {{.Server.APIVersion}})')"
    exit 0
  fi
  sleep 0.5
done
log "dockerd did not answer within 60 s; last lines of its log:"
tail -n 30 "$log_file" >&2 || true
exit 1
