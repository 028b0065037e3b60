#!/usr/bin/env bash
# What the server's client tests need beyond Java: Debian's chromium (driven headless by
# playwright-core, which never downloads a browser here), node, and the npm packages the tests
# use (openai, ajv, playwright-core), installed with `npm ci` from the committed package-lock.json.
# Idempotent: installs only what is missing, and runs npm ci only when the lock file changed.
set -euo pipefail
cd "$(dirname "$0")/.."
log() { echo "[browser] $*" >&2; }

wanted=(chromium)
command -v node >/dev/null || wanted+=(nodejs)
command -v npm >/dev/null || wanted+=(npm)
command -v curl >/dev/null || wanted+=(curl)
missing=()
for p in "${wanted[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ "${#missing[@]}" -gt 0 ]; then
  log "installing ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive NEEDRESTART_SUSPEND=1
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
else
  log "all present: ${wanted[*]}"
fi

dir=server/src/test/node
# npm ci writes node_modules/.package-lock.json, a copy of what it installed: equal means done.
if [ -f "$dir/node_modules/.package-lock.json" ] && \
   node -e 'const a=require(process.argv[1]).packages,b=require(process.argv[2]).packages;delete a[""];delete b[""];process.exit(JSON.stringify(a)===JSON.stringify(b)?0:1)' \
     "$(pwd)/$dir/package-lock.json" "$(pwd)/$dir/node_modules/.package-lock.json" 2>/dev/null; then
  log "npm packages up to date in $dir"
else
  log "npm ci in $dir"
  (cd "$dir" && npm ci --no-audit --no-fund --loglevel=error)
fi
log "$(chromium --version 2>/dev/null || echo 'chromium: missing'); node $(node --version)"
