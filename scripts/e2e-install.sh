#!/usr/bin/env bash
# Installs what the integration tests (scripts/e2e-run.mjs) need, using only Debian packages and
# the npm registry: Debian's chromium (renders the VS Code web workbench), and code-server from
# npm (VS Code 1.99.3 server + workbench with a real Node extension host) in its own folder,
# e2e/harness, from its committed lock. Idempotent: under a second when everything is in place.
# Runs as root in CI; as another user, apt goes through sudo. Why each step: ../shared/notes/e2e-vscode-chromium.md.
# Usage: bash scripts/e2e-install.sh
set -euo pipefail
cd "$(dirname "$0")/.."
HARNESS_DIR="$PWD/e2e/harness"
CS_VERSION="$(node -p "require('$HARNESS_DIR/package.json').dependencies['code-server']")"

# 1. Debian packages: chromium (the browser), ripgrep (stands in for the rg binary that
#    @vscode/ripgrep would download from GitHub), libkrb5-dev (headers for the kerberos addon).
#    Only this step needs root: as another user it goes through sudo.
if ! command -v chromium >/dev/null || ! command -v rg >/dev/null || ! dpkg -s libkrb5-dev >/dev/null 2>&1; then
  sudo=(); [ "$(id -u)" -eq 0 ] || sudo=(sudo)
  "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get update -qq
  "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends chromium ripgrep libkrb5-dev >/dev/null
fi

# 2. Seed @vscode/ripgrep's download cache with Debian's rg, so its postinstall never goes online.
#    It looks for $TMPDIR/vscode-ripgrep-cache-<pkg version>/ripgrep-<tag>-<target>.tar.gz first.
#    code-server 4.99.x pins @vscode/ripgrep 1.15.11 → tag v13.0.0-10 (for another code-server version
#    read lib/vscode/npm-shrinkwrap.json and that package's lib/postinstall.js).
RG_CACHE="${TMPDIR:-/tmp}/vscode-ripgrep-cache-1.15.11"
RG_TGZ="$RG_CACHE/ripgrep-v13.0.0-10-x86_64-unknown-linux-musl.tar.gz"

installed() {
  [ "$(cd "$HARNESS_DIR" && node -p "try{require('./node_modules/code-server/package.json').version}catch{''}")" = "$CS_VERSION" ] &&
    [ -e "$HARNESS_DIR/node_modules/code-server/lib/vscode/node_modules/node-pty/build/Release/pty.node" ] &&
    [ -e "$HARNESS_DIR/node_modules/code-server/lib/vscode/node_modules/kerberos/build/Release/kerberos.node" ]
}

# 3. code-server from npm, exactly as locked. Its postinstall (a) refuses root unless
#    npm_config_unsafe_perm=true (npm 11 warns "Unknown env config" but the script reads it),
#    (b) runs "npm install" in lib/vscode, compiling native addons against /usr's Node headers,
#    (c) whose node-pty post-install runs "npx node-gyp", which needs npm_config_yes=true.
if installed; then
  echo "code-server $CS_VERSION already installed in e2e/harness"
else
  if [ ! -s "$RG_TGZ" ]; then
    mkdir -p "$RG_CACHE"
    tmp="$(mktemp -d)"; cp "$(command -v rg)" "$tmp/rg"; tar czf "$RG_TGZ" -C "$tmp" rg; rm -rf "$tmp"
  fi
  cd "$HARNESS_DIR"
  if [ -f package-lock.json ]; then cmd=ci; else cmd=install; fi
  npm_config_unsafe_perm=true npm_config_yes=true npm "$cmd" --no-audit --no-fund
  cd - >/dev/null
  installed || { echo "e2e-install: code-server's native addons are missing after npm $cmd" >&2; exit 1; }
fi
node "$HARNESS_DIR/node_modules/code-server/out/node/entry.js" --config /dev/null --version
