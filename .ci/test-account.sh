#!/usr/bin/env bash
# Makes the unprivileged account the tests run as: an ordinary user in the docker group, as the
# robot's own account is, with a cgroup folder delegated to it (for the service-manager kill
# test) and a Maven repository of its own. Idempotent.
set -euo pipefail

CI_USER="${SNOWCRASH_CI_USER:-snowcrash-ci}"
log() { echo "[test-account] $*" >&2; }

if ! id "$CI_USER" >/dev/null 2>&1; then
  log "creating $CI_USER"
  useradd --create-home --shell /bin/bash "$CI_USER"
fi
getent group docker >/dev/null || groupadd docker
if ! id -nG "$CI_USER" | tr ' ' '\n' | grep -qx docker; then
  usermod -aG docker "$CI_USER"
fi
home="$(getent passwd "$CI_USER" | cut -d: -f6)"

# A cgroup v1 pids folder the account owns: it may make groups below it and move its own
# processes into them, which is all the kill test needs (a supervisor's stop kills a cgroup).
cgroup=/sys/fs/cgroup/pids/snowcrash-ci
if [ -d /sys/fs/cgroup/pids ]; then
  mkdir -p "$cgroup"
  chown -R "$CI_USER" "$cgroup"
else
  log "no cgroup v1 pids hierarchy on this machine; the cgroup kill test will say why it cannot run"
fi

# Its own Maven repository, seeded once from root's so a warm machine downloads nothing again.
repo="$home/.m2/repository"
if [ ! -d "$repo" ] && [ -d /root/.m2/repository ]; then
  log "seeding $repo from /root/.m2/repository"
  mkdir -p "$home/.m2"
  cp -a /root/.m2/repository "$repo"
fi
mkdir -p "$repo"
chown -R "$CI_USER:$CI_USER" "$home/.m2"
log "$CI_USER: $(id "$CI_USER")"
