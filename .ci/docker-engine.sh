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
  export DEBIAN_FRONTEND=noninteractive NEEDRESTART_SUSPEND=1
  apt-get update -qq
  apt-get install -y -qq docker.io >/dev/null
fi

# A daemon killed without cleaning up (the machine's processes are ended between a session and
# its CI run) leaves pid files behind, and dockerd refuses to start while its pid file exists.
for entry in /var/run/docker.pid:dockerd /var/run/docker/containerd/containerd.pid:containerd; do
  pid_file="${entry%%:*}" name="${entry##*:}"
  if [ -f "$pid_file" ]; then
    pid="$(cat "$pid_file" 2>/dev/null || true)"
    # Stale unless that pid is still the same program (pids are reused) and not a zombie
    # (a killed daemon whose parent is gone may never be reaped here).
    state="$(ps -o stat= -p "$pid" 2>/dev/null | cut -c1 || true)"
    if [ -z "$pid" ] || [ "$(cat "/proc/$pid/comm" 2>/dev/null)" != "$name" ] || [ "$state" = Z ]; then
      log "removing stale $pid_file"
      rm -f "$pid_file"
    fi
  fi
done

# No systemd on these machines: run the daemon detached from this shell, so that it outlives
# this script and the CI step that called it.
log_file=/var/log/snowcrash-dockerd.log
log "starting dockerd (log: $log_file)"
setsid dockerd >"$log_file" 2>&1 < /dev/null &
dockerd_pid=$!

for _ in $(seq 1 120); do
  if docker info >/dev/null 2>&1; then
    log "engine ready: $(docker version --format '{{.Server.Version}} (API {{.Server.APIVersion}})')"
    exit 0
  fi
  if ! kill -0 "$dockerd_pid" 2>/dev/null; then
    log "dockerd exited while starting"
    break
  fi
  sleep 0.5
done
log "dockerd did not come up; last lines of its log:"
tail -n 30 "$log_file" >&2 || true
exit 1
