#!/usr/bin/env bash
# Builds the documentation site (mkdocs.yml, pages in docs/) in strict mode, so a broken link, a
# page missing from the navigation or any other MkDocs warning fails CI. Installs Debian's mkdocs
# and mkdocs-material first when they are missing (as root), idempotently. The site goes to
# target/site (ignored by git), never into the sources. Usage: bash .ci/docs.sh [OUTPUT_DIR]
set -euo pipefail
cd "$(dirname "$0")/.."
log() { echo "[docs] $*" >&2; }

missing=()
for pkg in mkdocs mkdocs-material; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q 'install ok installed' || missing+=("$pkg")
done
if [ "${#missing[@]}" -gt 0 ]; then
  if [ "$(id -u)" != 0 ]; then
    log "missing Debian packages: ${missing[*]}; run as root (or apt-get install -y ${missing[*]})"
    exit 2
  fi
  log "installing ${missing[*]}"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
fi

out="${1:-target/site}"
log "mkdocs $(mkdocs --version 2>/dev/null | awk '{print $3}'), building into $out (strict)"
build_log="$(mktemp)"
trap 'rm -f "$build_log"' EXIT
status=0
mkdocs build --strict --clean --site-dir "$out" 2>&1 | tee "$build_log" >&2 || status=$?
[ "$status" = 0 ] || { log "mkdocs build --strict failed (status $status)"; exit "$status"; }
# MkDocs 1.4 reports a page left out of the navigation at INFO, which --strict lets through:
# every page must be reachable, so that fails here.
if grep -q 'not included in the "nav" configuration' "$build_log"; then
  log "pages missing from the nav in mkdocs.yml (add them):$(awk '/not included in the "nav"/{on=1; next} on && /^ +- /{printf " %s", $2; next} {on=0}' "$build_log")"
  exit 1
fi
log "site built: $out/index.html"
