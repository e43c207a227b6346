#!/usr/bin/env bash
# Started in the background by .ci/run while Rust compiles: installs the
# Debian packages the editor and report checks need (neovim, chromium) and
# fills npm's cache from the lock files, so those steps find everything on
# the machine instead of waiting on downloads after the build. Network and
# disk bound, it costs the compile little CPU. Each later step still checks
# for what it needs and installs it itself if this did not.
set -uo pipefail
cd "$(dirname "$0")/.."
need=()
command -v nvim >/dev/null 2>&1 || need+=(neovim)
[ -x /usr/bin/chromium ] || need+=(chromium)
if [ ${#need[@]} -gt 0 ] && command -v apt-get >/dev/null 2>&1; then
  SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"
  echo "prefetch: apt-get install ${need[*]}"
  $SUDO apt-get update -qq >/dev/null
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${need[@]}" >/dev/null
fi
for d in editors/vscode crates/funnel-report/js; do
  echo "prefetch: npm cache for $d"
  (cd "$d" && npm ci --no-audit --no-fund --ignore-scripts >/dev/null)
done
echo "prefetch: done"
