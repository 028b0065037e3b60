#!/usr/bin/env bash
# Debian packages the tests use beyond the JDK and Maven. Idempotent: installs only what is missing.
set -euo pipefail
log() { echo "[packages] $*" >&2; }

# nginx: a real HTTP server standing in for the model hub (pull tests).
# iproute2: network namespaces (isolation and remote-endpoint tests). util-linux: setsid, unshare.
# stunnel4 + openssl: a TLS-terminating proxy in front of the local Docker engine, with certificates
# made by the test (the remote-engine TLS test); openssl also makes the remote backend's test CA.
wanted=(nginx-light iproute2 util-linux stunnel4 openssl)
missing=()
for p in "${wanted[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ "${#missing[@]}" -gt 0 ]; then
  log "installing ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive NEEDRESTART_SUSPEND=1
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  # The package starts a system-wide nginx; the tests run their own on free loopback ports.
  if command -v nginx >/dev/null && pgrep -x nginx >/dev/null; then
    nginx -s quit 2>/dev/null || true
  fi
else
  log "all present: ${wanted[*]}"
fi
